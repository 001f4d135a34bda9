using SoSeg.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Losses;

/// <summary>
/// Tversky loss (Salehi et al., 2017) and focal Tversky loss (Abraham and Khan, 2019). Per foreground class,
/// over the whole batch: TI = (TP + s) / (TP + alpha FP + beta FN + s) with soft counts from the softmax;
/// beta &gt; alpha weighs missed pixels above false alarms (0.3 / 0.7, the papers' choice). The loss is the
/// mean over foreground classes of (1 - TI)^(1/gamma): gamma = 1 is Tversky, 4/3 the focal Tversky paper's.
/// Ignored pixels count nowhere.
/// </summary>
public sealed class TverskyLoss : ISegmentationLoss
{
    public const double Smooth = 1e-5;
    readonly double _alpha, _beta, _gamma;

    public TverskyLoss(double alpha = 0.3, double beta = 0.7, double gamma = 1.0)
    {
        if (alpha < 0 || beta < 0 || alpha + beta <= 0) throw new ArgumentException($"Tversky loss: alpha and beta must be non-negative and not both 0, got {alpha}, {beta}.");
        if (!(gamma > 0)) throw new ArgumentException($"focal Tversky loss: gamma must be positive, got {gamma}.");
        (_alpha, _beta, _gamma) = (alpha, beta, gamma);
    }

    public string Name => _gamma == 1 ? "tversky" : "focal-tversky";

    public Tensor Compute(SegmentationOutput output, Tensor target)
    {
        LossTargets.Check(Name, output.Logits, target, minClasses: 2);
        using var scope = NewDisposeScope();
        var logits = LossTargets.ToLossPrecision(output.Logits);
        var (oneHot, valid) = LossTargets.OneHot(target, logits.shape[1], logits.dtype);
        var p = (nn.functional.softmax(logits, 1) * valid)[.., 1..];
        var y = oneHot[.., 1..];
        long[] batchAndPixels = [0, 2, 3];
        var tp = (p * y).sum(batchAndPixels);
        var fp = (p * (1 - y) * valid).sum(batchAndPixels);
        var fn = ((1 - p) * y).sum(batchAndPixels);
        var index = (tp + Smooth) / (tp + _alpha * fp + _beta * fn + Smooth);
        return (1 - index).pow(1 / _gamma).mean().MoveToOuterDisposeScope();
    }
}
