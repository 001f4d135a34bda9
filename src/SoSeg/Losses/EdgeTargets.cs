using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Losses;

/// <summary>
/// Edge ground truth from class labels: morphological gradient (dilation minus erosion) of the mask,
/// computed with max-pooling. For a binary mask m the edge is dilate(m) - erode(m): a band one pixel
/// either side of the object boundary for a 3x3 element. For K classes a pixel is edge when its k x k
/// window holds labelled pixels of more than one class (for K = 2 the same band). Ignored pixels (255)
/// belong to no class, so they create no edges; the image border is not an edge.
/// </summary>
public static class EdgeTargets
{
    /// <param name="target">Class indices N x H x W (int64, 255 = ignore).</param>
    /// <param name="numClasses">Classes K (background included).</param>
    /// <param name="kernelSize">Odd side of the square structuring element (3).</param>
    /// <param name="dtype">Element type of the result.</param>
    /// <returns>N x 1 x H x W with 1 on edge pixels, 0 elsewhere.</returns>
    public static Tensor FromLabels(Tensor target, long numClasses, int kernelSize = 3, ScalarType dtype = ScalarType.Float32)
    {
        if (kernelSize < 3 || kernelSize % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), $"Edge kernel must be odd and at least 3, got {kernelSize}.");
        if (target.dim() != 3)
            throw new ArgumentException($"Edge targets: expected class indices N x H x W, got [{string.Join(", ", target.shape)}].");
        using var scope = torch.NewDisposeScope();
        var (oneHot, _) = LossTargets.OneHot(target, numClasses, ScalarType.Float32);
        // Dilation of each class's indicator: which classes occur in each window.
        var present = nn.functional.max_pool2d(oneHot, kernelSize, stride: 1, padding: kernelSize / 2);
        var edge = present.sum(1, keepdim: true).gt(1).to(dtype);
        return edge.MoveToOuterDisposeScope();
    }
}
