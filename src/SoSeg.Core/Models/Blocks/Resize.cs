using SoSeg.Models.Analysis;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Models.Blocks;

/// <summary>
/// Functional resizing that reports its cost to an active <see cref="FlopCounter"/> (a functional call has
/// no layer the counter could hook). Use it instead of calling <c>interpolate</c> directly in models.
/// </summary>
public static class Resize
{
    /// <summary>Bilinear resize of N x C x H x W to <paramref name="height"/> x <paramref name="width"/>; returns an alias when the size already matches.</summary>
    public static Tensor Bilinear(Tensor x, long height, long width, bool alignCorners)
    {
        if (x.shape[2] == height && x.shape[3] == width) return x.alias();
        var output = nn.functional.interpolate(x, [height, width], mode: InterpolationMode.Bilinear, align_corners: alignCorners);
        FlopCounter.AddInterpolation(output, InterpolationMode.Bilinear);
        return output;
    }
}
