using SoSeg.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Losses;

/// <summary>
/// Online hard example mining cross-entropy as HRNet's official <c>OhemCrossEntropy</c>
/// (HRNet-Semantic-Segmentation <c>lib/core/criterion.py</c>): among the labelled pixels of the batch,
/// sort by the predicted probability of the true class; the threshold is the larger of
/// <c>threshold</c> and the probability at rank <c>minKept</c>; the loss is the mean cross-entropy of
/// the pixels whose true-class probability is below it. Easy pixels thus drop out, yet at least about
/// <c>minKept</c> pixels stay. Pixels labelled 255 are ignored.
/// </summary>
public sealed class OhemCrossEntropyLoss : ISegmentationLoss
{
    /// <summary>Default probability threshold (HRNet config default <c>LOSS.OHEMTHRES</c>).</summary>
    public const double DefaultThreshold = 0.9;

    /// <summary>Default minimum number of kept pixels per batch (HRNet config default <c>LOSS.OHEMKEEP</c>).</summary>
    public const int DefaultMinKept = 100_000;

    /// <param name="threshold">Pixels whose true-class probability is below this are kept, in (0, 1].</param>
    /// <param name="minKept">At least this many pixels (per batch) are kept, the hardest first.</param>
    public OhemCrossEntropyLoss(double threshold = DefaultThreshold, int minKept = DefaultMinKept)
    {
        if (threshold is <= 0 or > 1) throw new ArgumentException($"ohem loss: threshold must be in (0, 1], got {threshold}.");
        if (minKept < 1) throw new ArgumentException($"ohem loss: min-kept must be at least 1, got {minKept}.");
        Threshold = threshold;
        MinKept = minKept;
    }

    /// <summary>Probability threshold.</summary>
    public double Threshold { get; }

    /// <summary>Minimum number of kept pixels per batch.</summary>
    public int MinKept { get; }

    public string Name => "ohem-cross-entropy";

    public Tensor Compute(SegmentationOutput output, Tensor target)
    {
        LossTargets.Check(Name, output.Logits, target);
        using var scope = NewDisposeScope();
        var logits = LossTargets.ToLossPrecision(output.Logits);
        var perPixel = nn.functional.cross_entropy(logits, target, ignore_index: ISegmentationLoss.IgnoreIndex,
                                                   reduction: nn.Reduction.None).flatten();
        var valid = target.ne(ISegmentationLoss.IgnoreIndex).flatten();
        Tensor trueClassProbability;
        using (no_grad())
        {
            var safeTarget = target.masked_fill(target.eq(ISegmentationLoss.IgnoreIndex), 0).unsqueeze(1);
            trueClassProbability = nn.functional.softmax(logits, 1).gather(1, safeTarget).flatten();
        }
        var probabilities = trueClassProbability[valid];
        var losses = perPixel[valid];
        long count = probabilities.shape[0];
        if (count == 0) return (logits.sum() * 0).MoveToOuterDisposeScope();

        long rank = Math.Min(MinKept, count - 1);
        var (rankValue, _) = probabilities.kthvalue(rank + 1, 0);
        var threshold = rankValue.clamp_min(Threshold);
        var kept = losses[probabilities.lt(threshold)];
        // Everything at or above the threshold (e.g. all probabilities equal): nothing is hard, the loss is 0.
        var loss = kept.shape[0] == 0 ? logits.sum() * 0 : kept.mean();
        return loss.MoveToOuterDisposeScope();
    }
}
