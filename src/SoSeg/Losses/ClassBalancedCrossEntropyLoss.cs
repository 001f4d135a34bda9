using SoSeg.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Losses;

/// <summary>
/// Cross-entropy with inverse-frequency class weights from each batch: class c weighs 1 / (its labelled
/// pixels), so the weighted mean is the mean over the classes present of each class's mean cross-entropy.
/// A 20-pixel object then counts as much as the background of the whole batch.
/// </summary>
public sealed class ClassBalancedCrossEntropyLoss : ISegmentationLoss
{
    public string Name => "weighted-ce";

    public Tensor Compute(SegmentationOutput output, Tensor target)
    {
        LossTargets.Check(Name, output.Logits, target, minClasses: 2);
        using var scope = NewDisposeScope();
        var logits = LossTargets.ToLossPrecision(output.Logits);
        var (oneHot, _) = LossTargets.OneHot(target, logits.shape[1], logits.dtype);
        var perPixel = nn.functional.cross_entropy(logits, target, ignore_index: ISegmentationLoss.IgnoreIndex, reduction: nn.Reduction.None);
        long[] batchAndPixels = [0, 2, 3];
        var pixels = oneHot.sum(batchAndPixels);
        var sums = (oneHot * perPixel.unsqueeze(1)).sum(batchAndPixels);
        var present = pixels.gt(0);
        var classMeans = sums / pixels.clamp_min(1);
        // No labelled pixel at all: 0, still attached to the graph.
        var loss = (classMeans * present.to(logits.dtype)).sum() / present.sum().clamp_min(1);
        return loss.MoveToOuterDisposeScope();
    }
}
