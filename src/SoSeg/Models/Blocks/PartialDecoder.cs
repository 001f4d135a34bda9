using SoSeg.Onnx;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.Blocks;

/// <summary>
/// PraNet's partial decoder (Fan et al., MICCAI 2020; from CPD, Wu et al., CVPR 2019): aggregates the
/// three deepest reduced features (strides 32, 16, 8, all <c>channels</c> wide) by multiplying upsampled
/// deeper features into shallower ones and concatenating, and returns a K-channel global map at stride 8.
/// PraNet uses conv-BN units; CaraNet reuses it with plain convs (<c>batchNorm: false</c>).
/// Upsampling is bilinear with aligned corners, as in the official <c>nn.Upsample</c>.
/// </summary>
public sealed class PartialDecoder : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> upsample1;
    readonly nn.Module<Tensor, Tensor> upsample2;
    readonly nn.Module<Tensor, Tensor> upsample3;
    readonly nn.Module<Tensor, Tensor> upsample4;
    readonly nn.Module<Tensor, Tensor> upsample5;
    readonly nn.Module<Tensor, Tensor> concat2;
    readonly nn.Module<Tensor, Tensor> concat3;
    readonly nn.Module<Tensor, Tensor> fuse;
    readonly PrecisionConv2d head;

    /// <param name="channels">Width of each input feature (32 in PraNet and CaraNet).</param>
    /// <param name="outChannels">Channels of the global map (K classes).</param>
    /// <param name="batchNorm">True: 3x3 conv + BN units (PraNet); false: plain 3x3 convs without bias (CaraNet).</param>
    public PartialDecoder(long channels, long outChannels, bool batchNorm = true) : base(nameof(PartialDecoder))
    {
        upsample1 = Unit(channels, channels, batchNorm);
        upsample2 = Unit(channels, channels, batchNorm);
        upsample3 = Unit(channels, channels, batchNorm);
        upsample4 = Unit(channels, channels, batchNorm);
        upsample5 = Unit(2 * channels, 2 * channels, batchNorm);
        concat2 = Unit(2 * channels, 2 * channels, batchNorm);
        concat3 = Unit(3 * channels, 3 * channels, batchNorm);
        fuse = Unit(3 * channels, 3 * channels, batchNorm);
        head = PrecisionLayers.Conv2d(3 * channels, outChannels, 1);
        RegisterComponents();
    }

    // The official BasicConv2d is conv + BN with no activation; CaraNet's Conv is a bare conv.
    static nn.Module<Tensor, Tensor> Unit(long inChannels, long outChannels, bool batchNorm) => batchNorm
        ? new ConvBnAct(inChannels, outChannels, 3, activation: Activation.None)
        : PrecisionLayers.Conv2d(inChannels, outChannels, 3, padding: 1, bias: false);

    /// <param name="deepest">Stride-32 feature.</param>
    /// <param name="middle">Stride-16 feature.</param>
    /// <param name="shallow">Stride-8 feature.</param>
    /// <returns>The global map, K channels at the stride of <paramref name="shallow"/>.</returns>
    public override Tensor forward(Tensor deepest, Tensor middle, Tensor shallow)
    {
        using var scope = torch.NewDisposeScope();
        var deepUp = Up2(deepest);
        var deepUp2 = Up2(deepUp);
        var middleUp = Up2(middle);

        var middleFused = upsample1.call(deepUp) * middle;
        var shallowFused = upsample2.call(deepUp2) * upsample3.call(middleUp) * shallow;

        var middleCat = concat2.call(torch.cat([middleFused, upsample4.call(deepUp)], 1));
        var shallowCat = concat3.call(torch.cat([shallowFused, upsample5.call(Up2(middleCat))], 1));
        return head.call(fuse.call(shallowCat)).MoveToOuterDisposeScope();
    }

    static Tensor Up2(Tensor x) => Resample.Scale(x, 2, alignCorners: true);

    /// <summary>ONNX export of <see cref="forward"/>.</summary>
    public OnnxValue Export(OnnxGraph g, OnnxValue deepest, OnnxValue middle, OnnxValue shallow)
    {
        OnnxValue Up2(OnnxValue x) => g.ResizeScale(x, 2, alignCorners: true);
        var deepUp = Up2(deepest);
        var deepUp2 = Up2(deepUp);
        var middleUp = Up2(middle);

        var middleFused = upsample1.Export(g, deepUp) * middle;
        var shallowFused = upsample2.Export(g, deepUp2) * upsample3.Export(g, middleUp) * shallow;

        var middleCat = concat2.Export(g, g.Concat(1, middleFused, upsample4.Export(g, deepUp)));
        var shallowCat = concat3.Export(g, g.Concat(1, shallowFused, upsample5.Export(g, Up2(middleCat))));
        return head.Export(g, fuse.Export(g, shallowCat));
    }
}
