using SoSeg.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Losses;

/// <summary>
/// Checks and converts class-index targets for losses that need one-hot maps: the one-hot target with
/// ignored pixels zeroed, and a mask of the pixels that carry a label.
/// </summary>
public static class LossTargets
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the loss when logits and target do not fit.</summary>
    /// <param name="minClasses">Smallest K the loss accepts.</param>
    public static void Check(string lossName, Tensor logits, Tensor target, long minClasses = 1)
    {
        if (logits.dim() != 4)
            throw new ArgumentException($"{lossName}: expected logits N x K x H x W, got shape [{string.Join(", ", logits.shape)}].");
        if (logits.shape[1] < minClasses)
            throw new ArgumentException($"{lossName}: expected logits N x K x H x W with K >= {minClasses}, got shape [{string.Join(", ", logits.shape)}].");
        if (target.dim() != 3 || target.shape[0] != logits.shape[0] || target.shape[1] != logits.shape[2] || target.shape[2] != logits.shape[3])
            throw new ArgumentException($"{lossName}: target shape [{string.Join(", ", target.shape)}] does not match logits " +
                                        $"[{string.Join(", ", logits.shape)}]; expected N x H x W class indices.");
        if (target.dtype != ScalarType.Int64)
            throw new ArgumentException($"{lossName}: target must hold int64 class indices, got {target.dtype}.");
    }

    /// <summary>
    /// One-hot target N x K x H x W in <paramref name="dtype"/> (zero at ignored pixels) and the valid mask
    /// N x 1 x H x W (1 where the target is not <see cref="ISegmentationLoss.IgnoreIndex"/>).
    /// </summary>
    public static (Tensor OneHot, Tensor Valid) OneHot(Tensor target, long numClasses, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var validBool = target.ne(ISegmentationLoss.IgnoreIndex);
        var safeTarget = target.masked_fill(validBool.logical_not(), 0);
        var valid = validBool.unsqueeze(1).to(dtype);
        var oneHot = nn.functional.one_hot(safeTarget, numClasses).permute(0, 3, 1, 2).to(dtype) * valid;
        return (oneHot.MoveToOuterDisposeScope(), valid.MoveToOuterDisposeScope());
    }

    /// <summary>Mean cross-entropy over labelled pixels; 0 (still attached to the graph) when no pixel is labelled.</summary>
    public static Tensor MeanCrossEntropy(Tensor logits, Tensor target)
    {
        using var perPixel = nn.functional.cross_entropy(logits, target, ignore_index: ISegmentationLoss.IgnoreIndex, reduction: nn.Reduction.None);
        using var labelled = target.ne(ISegmentationLoss.IgnoreIndex).sum().clamp_min(1);
        return perPixel.sum() / labelled;
    }

    /// <summary>Losses are computed in float32 (or float64) even when the network runs in a reduced precision.</summary>
    public static Tensor ToLossPrecision(Tensor logits) =>
        logits.dtype is ScalarType.Float32 or ScalarType.Float64 ? logits.alias() : logits.to(ScalarType.Float32);
}
