using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Losses;

/// <summary>
/// Soft Dice coefficient between class probabilities and one-hot targets:
/// (2 * sum(p * y) + smooth) / (sum(p) + sum(y) + smooth), with ignored pixels excluded by a mask.
/// The reductions cover the variants of the baselines' code: per class or pooled over classes, over the
/// whole batch or per image; the result is the mean over the remaining axes.
/// </summary>
public static class SoftDice
{
    /// <param name="probabilities">N x K x H x W, e.g. softmax of the logits.</param>
    /// <param name="oneHot">N x K x H x W one-hot target (zero at ignored pixels).</param>
    /// <param name="valid">N x 1 x H x W, 1 where a pixel carries a label.</param>
    /// <param name="firstClass">0 to include the background class, 1 for foreground classes only.</param>
    /// <param name="poolClasses">Sum over the classes too (one coefficient) instead of one per class.</param>
    /// <param name="perImage">One coefficient per image instead of one over the batch.</param>
    /// <param name="smooth">Added to numerator and denominator; an empty class with an empty prediction scores 1.</param>
    public static Tensor Coefficient(Tensor probabilities, Tensor oneHot, Tensor valid, int firstClass = 1,
                                     bool poolClasses = false, bool perImage = false, double smooth = 1.0)
    {
        long classes = probabilities.shape[1];
        if (firstClass < 0 || firstClass >= classes)
            throw new ArgumentOutOfRangeException(nameof(firstClass), $"soft Dice: first class {firstClass} outside 0..{classes - 1}.");
        using var scope = NewDisposeScope();
        var p = probabilities[.., firstClass..] * valid;
        var y = oneHot[.., firstClass..];
        long[] dims = (poolClasses, perImage) switch
        {
            (true, true) => [1, 2, 3],
            (true, false) => [0, 1, 2, 3],
            (false, true) => [2, 3],
            (false, false) => [0, 2, 3],
        };
        var intersection = (p * y).sum(dims);
        var total = p.sum(dims) + y.sum(dims);
        var dice = (2 * intersection + smooth) / (total + smooth);
        return dice.mean().MoveToOuterDisposeScope();
    }
}
