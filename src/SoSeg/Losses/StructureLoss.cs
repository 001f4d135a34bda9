using SoSeg.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Losses;

/// <summary>
/// The "structure loss" of PraNet, CaraNet and CFANet (from F3Net, Wei et al., AAAI 2020): weighted IoU
/// plus binary cross-entropy, with pixel weights <c>w = 1 + 5 |avgpool31(m) - m|</c> that grow near the
/// object boundary (m = ground-truth mask, avgpool31 = 31x31 mean, zero padding counted).
/// <para>
/// K classes: the binary loss is applied one-vs-rest to every foreground class c = 1..K-1 on the one-hot
/// target, with class probabilities p = softmax(logits) and log(1 - p_c) taken stably as
/// logsumexp(logits without c) - logsumexp(logits); the terms are averaged over the foreground classes.
/// For K = 2 this is exactly the original on the foreground logit s = l1 - l0 (sigmoid(s) = softmax_1).
/// Background is not a separate term: in the original the single map is the foreground.
/// </para>
/// <para>
/// The BCE term: the official PraNet/CaraNet code calls <c>binary_cross_entropy_with_logits(pred, mask,
/// reduce='none')</c>; <c>reduce</c> is the deprecated flag, the truthy string means "reduce", so the
/// per-pixel weights multiply a scalar and cancel: the BCE term is the plain mean over all pixels of the
/// batch. <see cref="WeightedBce"/> = false reproduces that; true gives the per-image w-weighted mean that
/// the formula intends (and that CFANet's released MindSpore training code computes).
/// </para>
/// <para>
/// Ignored pixels (target 255) count nowhere: not in the BCE sums or counts, not in the IoU sums; in the
/// 31x31 mean they count as "not this class", exactly like the zero padding outside the image. So an image
/// padded with ignored pixels (crop padding) gives the same loss as the unpadded image.
/// </para>
/// Applied to the main logits and every side output, summed with equal weights, as the official trainings do.
/// </summary>
public sealed class StructureLoss : ISegmentationLoss
{
    /// <summary>Side of the averaging window that defines the boundary weights.</summary>
    public const int Window = 31;

    /// <summary>Gain of the boundary weight: w = 1 + Gain * |local mean - m|.</summary>
    public const double BoundaryGain = 5;

    /// <param name="weightedBce">False: official PraNet/CaraNet behaviour (unweighted mean BCE); true: boundary-weighted BCE.</param>
    public StructureLoss(bool weightedBce = false) => WeightedBce = weightedBce;

    /// <summary>Whether the BCE term is boundary-weighted (see the class remarks).</summary>
    public bool WeightedBce { get; }

    public string Name => WeightedBce ? "structure (weighted BCE)" : "structure";

    public bool UsesSideOutputs => true;

    /// <summary>Sum of <see cref="ComputeMap"/> over the main logits and all side outputs.</summary>
    public Tensor Compute(SegmentationOutput output, Tensor target)
    {
        var total = ComputeMap(output.Logits, target);
        foreach (var side in output.SideOutputs)
        {
            using var previous = total;
            using var term = ComputeMap(side, target);
            total = previous + term;
        }
        return total;
    }

    /// <summary>The structure loss of one map: logits N x K x H x W, target N x H x W (int64, 255 = ignore).</summary>
    public Tensor ComputeMap(Tensor logits, Tensor target)
    {
        LossTargets.Check(Name, logits, target, minClasses: 2);
        using var scope = torch.NewDisposeScope();
        long classes = logits.shape[1];
        var x = LossTargets.ToLossPrecision(logits);
        var (oneHot, valid) = LossTargets.OneHot(target, classes, x.dtype);                        // N x K x H x W, N x 1 x H x W
        var mask = oneHot[.., 1..];                                                                 // foreground classes

        var logProbability = x.log_softmax(1);
        var logForeground = logProbability[.., 1..];
        var logComplement = LogComplement(x, logProbability);
        var probability = logForeground.exp();

        var weight = BoundaryWeight(mask);

        // Per-pixel BCE, zero on ignored pixels.
        var bce = -(mask * logForeground + (1 - mask) * logComplement) * valid;
        Tensor bceTerm;
        if (WeightedBce)
        {
            var weighted = (weight * bce).sum([2, 3]) / (weight * valid).sum([2, 3]).clamp_min(1e-12);
            bceTerm = weighted.mean();
        }
        else
        {
            var count = valid.sum().clamp_min(1) * (classes - 1);
            bceTerm = bce.sum() / count;
        }

        var intersection = (probability * mask * weight * valid).sum([2, 3]);
        var union = ((probability + mask) * weight * valid).sum([2, 3]);
        var weightedIou = 1 - (intersection + 1) / (union - intersection + 1);

        var loss = bceTerm + weightedIou.mean();
        if (loss.dtype != logits.dtype) loss = loss.to(logits.dtype);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>w = 1 + 5 |mean31(m) - m|, the mean zero-padded (padding counted) as the official avg_pool2d.</summary>
    static Tensor BoundaryWeight(Tensor mask)
    {
        using var localMean = nn.functional.avg_pool2d(mask, Window, stride: 1, padding: Window / 2);
        using var deviation = (localMean - mask).abs_();
        return 1 + BoundaryGain * deviation;
    }

    /// <summary>log(1 - p_c) for every foreground class c: logsumexp over the other classes minus logsumexp over all.</summary>
    static Tensor LogComplement(Tensor logits, Tensor logProbability)
    {
        long classes = logits.shape[1];
        if (classes == 2) return logProbability[.., ..1].alias();
        using var all = logits.logsumexp(1, keepdim: true);
        var parts = new List<Tensor>();
        for (long c = 1; c < classes; c++)
        {
            using var without = logits.index_fill(1, torch.tensor(new[] { c }, device: logits.device), double.NegativeInfinity);
            using var others = without.logsumexp(1, keepdim: true);
            parts.Add(others - all);
        }
        var result = torch.cat(parts, 1);
        foreach (var p in parts) p.Dispose();
        return result;
    }
}
