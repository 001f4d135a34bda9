using SoSeg.Models.Analysis;
using static TorchSharp.torch;

namespace SoSeg.Models.Blocks;

/// <summary>
/// Bilinear resizing as the official PyTorch code of the baselines does it: <c>nn.Upsample(...,
/// align_corners=True)</c> inside decoders, <c>F.interpolate(..., mode='bilinear')</c> (corners not
/// aligned) for maps. Sizes are given explicitly so any input that the model's size divisor admits works.
/// </summary>
public static class Resample
{
    /// <summary>
    /// Bilinear resize of an N x C x H x W tensor to <paramref name="height"/> x <paramref name="width"/>;
    /// reports its cost to an active <see cref="FlopCounter"/> (a functional call has no layer to hook).
    /// </summary>
    public static Tensor To(Tensor x, long height, long width, bool alignCorners = false)
    {
        var output = nn.functional.interpolate(x, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: alignCorners);
        FlopCounter.AddInterpolation(output, InterpolationMode.Bilinear);
        return output;
    }

    /// <summary>Bilinear resize to the spatial size of <paramref name="reference"/>.</summary>
    public static Tensor Like(Tensor x, Tensor reference, bool alignCorners = false) =>
        To(x, reference.shape[2], reference.shape[3], alignCorners);

    /// <summary>Bilinear upsampling by an integer factor.</summary>
    public static Tensor Scale(Tensor x, long factor, bool alignCorners = false) =>
        To(x, x.shape[2] * factor, x.shape[3] * factor, alignCorners);
}
