using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.UNet;

/// <summary>
/// One U-Net decoder step: upsample the deeper features x2 (2x2 transposed convolution halving the
/// channels, or bilinear interpolation), concatenate the encoder skip (skip first, as the reference),
/// then a <see cref="DoubleConv"/>.
/// </summary>
public sealed class UNetUp : nn.Module<Tensor, Tensor, Tensor>, IOnnxExportable2
{
    readonly PrecisionConvTranspose2d? upsample;
    readonly DoubleConv conv;

    /// <param name="inChannels">Channels of the concatenation (skip + upsampled).</param>
    /// <param name="outChannels">Channels after the double convolution.</param>
    /// <param name="bilinear">Bilinear upsampling (align_corners true, as the reference) instead of a transposed convolution.</param>
    public UNetUp(long inChannels, long outChannels, bool bilinear) : base(nameof(UNetUp))
    {
        if (bilinear)
        {
            // The deeper input already has inChannels/2 channels; the first conv reduces to inChannels/2.
            conv = new DoubleConv(inChannels, outChannels, inChannels / 2);
        }
        else
        {
            upsample = PrecisionLayers.ConvTranspose2d(inChannels, inChannels / 2, 2, stride: 2);
            conv = new DoubleConv(inChannels, outChannels);
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor deeper, Tensor skip)
    {
        using var up = upsample is null
            ? Resample.Like(deeper, skip, alignCorners: true)
            : upsample.call(deeper);
        if (up.shape[2] != skip.shape[2] || up.shape[3] != skip.shape[3])
            throw new InvalidOperationException(
                $"U-Net decoder: upsampled features {up.shape[2]}x{up.shape[3]} do not match the skip {skip.shape[2]}x{skip.shape[3]}; " +
                "the input must be padded to a multiple of 16 (SegmentationModel does this).");
        using var joined = torch.cat([skip, up], 1);
        return conv.call(joined);
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue deeper, OnnxValue skip)
    {
        var up = upsample is null ? g.ResizeLike(deeper, skip, alignCorners: true) : upsample.Export(g, deeper);
        return conv.Export(g, g.Concat(1, skip, up));
    }
}
