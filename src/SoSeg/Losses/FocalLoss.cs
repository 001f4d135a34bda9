using SoSeg.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Losses;

/// <summary>
/// Focal loss (Lin et al., ICCV 2017), multi-class: -(1 - p_t)^gamma log p_t per labelled pixel, p_t the
/// softmax probability of the true class, averaged over labelled pixels. gamma = 2 as in the paper; the
/// easy background pixels that dominate small-object images are down-weighted.
/// </summary>
public sealed class FocalLoss(double gamma = 2.0) : ISegmentationLoss
{
    public double Gamma { get; } = gamma >= 0 ? gamma : throw new ArgumentException($"focal loss: gamma must be non-negative, got {gamma}.");

    public string Name => "focal";

    public Tensor Compute(SegmentationOutput output, Tensor target)
    {
        LossTargets.Check(Name, output.Logits, target, minClasses: 2);
        using var scope = NewDisposeScope();
        var logits = LossTargets.ToLossPrecision(output.Logits);
        var valid = target.ne(ISegmentationLoss.IgnoreIndex);
        var safeTarget = target.masked_fill(valid.logical_not(), 0).unsqueeze(1);
        var logPt = nn.functional.log_softmax(logits, 1).gather(1, safeTarget).squeeze(1);
        var perPixel = -(1 - logPt.exp()).pow(Gamma) * logPt * valid.to(logits.dtype);
        return (perPixel.sum() / valid.sum().clamp_min(1)).MoveToOuterDisposeScope();
    }
}
