using SoSeg.Onnx;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.UNet;

/// <summary>
/// U-Net (Ronneberger, Fischer, Brox, MICCAI 2015) in the form of the widely used
/// milesial/Pytorch-UNet: padded 3x3 convolutions with BatchNorm, four 2x2 max-pool downsamplings
/// (64, 128, 256, 512, 1024 channels), four 2x2 transposed-convolution upsamplings with concatenated
/// skips, and a 1x1 convolution to K classes. With bilinear upsampling the bottleneck is halved
/// (17.26 M instead of 31.04 M parameters), as in the reference.
/// </summary>
public sealed class UNet : SegmentationModel
{
    /// <summary>Levels of the encoder (input resolution plus four downsamplings).</summary>
    public const int Levels = 5;

    readonly ModuleList<DoubleConv> encoder;
    readonly ModuleList<UNetUp> decoder;
    readonly PrecisionConv2d head;

    /// <param name="config">Input channels, classes (options are read by the factory).</param>
    /// <param name="baseWidth">Channels of the first level; doubled at every downsampling (64 in the reference).</param>
    /// <param name="bilinear">Bilinear upsampling instead of 2x2 transposed convolutions.</param>
    public UNet(ModelConfig config, int baseWidth = 64, bool bilinear = false) : base("unet", config)
    {
        if (baseWidth < 2) throw new ArgumentException($"unet: base-width must be at least 2, got {baseWidth}.");
        var widths = Enumerable.Range(0, Levels).Select(i => (long)baseWidth << i).ToArray();
        // The bilinear variant halves the bottleneck so the concatenation keeps the transposed variant's width.
        long factor = bilinear ? 2 : 1;

        encoder = new ModuleList<DoubleConv>();
        encoder.Add(new DoubleConv(config.InChannels, widths[0]));
        for (int level = 1; level < Levels; level++)
            encoder.Add(new DoubleConv(widths[level - 1], level == Levels - 1 ? widths[level] / factor : widths[level]));

        decoder = new ModuleList<UNetUp>();
        for (int level = Levels - 1; level >= 1; level--)
        {
            long outChannels = level == 1 ? widths[0] : widths[level - 1] / factor;
            decoder.Add(new UNetUp(widths[level], outChannels, bilinear));
        }
        head = PrecisionLayers.Conv2d(widths[0], config.NumClasses, 1);
        RegisterComponents();
    }

    /// <summary>Four 2x2 poolings: H and W must be multiples of 16.</summary>
    public override int SizeDivisor => 16;


    protected override SegmentationOutput ForwardPadded(Tensor input, bool withSideOutputs)
    {
        using var scope = NewDisposeScope();
        var skips = new List<Tensor>(Levels);
        var x = encoder[0].call(input);
        for (int level = 1; level < Levels; level++)
        {
            skips.Add(x);
            x = encoder[level].call(nn.functional.max_pool2d(x, 2));
        }
        for (int step = 0; step < decoder.Count; step++)
            x = decoder[step].call(x, skips[Levels - 2 - step]);
        var logits = head.call(x);
        return new SegmentationOutput(logits.MoveToOuterDisposeScope());
    }

    protected override OnnxValue ExportPadded(OnnxGraph g, OnnxValue input)
    {
        var skips = new List<OnnxValue>(Levels);
        var x = encoder[0].Export(g, input);
        for (int level = 1; level < Levels; level++)
        {
            skips.Add(x);
            x = encoder[level].Export(g, g.MaxPool(x, 2, 2));
        }
        for (int step = 0; step < decoder.Count; step++)
            x = decoder[step].Export(g, x, skips[Levels - 2 - step]);
        return head.Export(g, x);
    }
}
