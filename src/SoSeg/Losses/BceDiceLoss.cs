using SoSeg.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Losses;

/// <summary>
/// U-Net++'s loss (Zhou et al. 2018; official Keras <c>bce_dice_loss</c> = 0.5 * BCE - Dice, summed over
/// the deep-supervision outputs), generalised to K classes:
/// <c>bceWeight * BCE + diceWeight * (1 - Dice)</c> per supervised map, summed over the maps.
/// <list type="bullet">
/// <item>BCE: binary cross-entropy between the softmax probabilities and the one-hot target, averaged over
/// the K channels and the labelled pixels. For K = 2 this equals the reference's single-sigmoid BCE
/// (sigmoid(l1 - l0) is the foreground probability, and both channels give the same term).</item>
/// <item>Dice: soft Dice per foreground class (classes 1..K-1) over all labelled pixels of the batch
/// (the reference flattens the batch), smooth 1, averaged over the classes. For K = 2 it is the reference's Dice.</item>
/// <item>1 - Dice instead of -Dice: the gradient is the same; the loss is non-negative and 0 at a perfect prediction.</item>
/// </list>
/// Supervised maps: the side outputs when the model returns any (U-Net++'s four deep-supervision heads)
/// and <c>useSideOutputs</c> is true, otherwise the logits. Pixels labelled 255 are ignored.
/// </summary>
public sealed class BceDiceLoss : ISegmentationLoss
{
    readonly double _bceWeight;
    readonly double _diceWeight;
    readonly double _smooth;
    readonly bool _useSideOutputs;
    readonly bool _perImageDice;

    /// <param name="bceWeight">Weight of the BCE term (0.5 in U-Net++).</param>
    /// <param name="diceWeight">Weight of the Dice term (1 in U-Net++).</param>
    /// <param name="smooth">Dice smoothing (1 in U-Net++).</param>
    /// <param name="useSideOutputs">Supervise the side outputs (deep supervision) when there are any.</param>
    /// <param name="perImageDice">Dice per image, averaged (the U-Net++ paper's formula) instead of over the batch (its code).</param>
    public BceDiceLoss(double bceWeight = 0.5, double diceWeight = 1.0, double smooth = 1.0,
                       bool useSideOutputs = true, bool perImageDice = false)
    {
        if (bceWeight < 0 || diceWeight < 0 || bceWeight + diceWeight == 0)
            throw new ArgumentException($"bce-dice loss: weights must be non-negative and not both 0 (bce {bceWeight}, dice {diceWeight}).");
        if (smooth < 0) throw new ArgumentException($"bce-dice loss: smooth must be non-negative, got {smooth}.");
        _bceWeight = bceWeight;
        _diceWeight = diceWeight;
        _smooth = smooth;
        _useSideOutputs = useSideOutputs;
        _perImageDice = perImageDice;
    }

    public string Name => "bce-dice";

    public bool UsesSideOutputs => _useSideOutputs;

    public Tensor Compute(SegmentationOutput output, Tensor target)
    {
        var maps = _useSideOutputs && output.SideOutputs.Count > 0 ? output.SideOutputs : [output.Logits];
        using var scope = NewDisposeScope();
        Tensor? total = null;
        foreach (var map in maps)
        {
            var term = Term(map, target);
            total = total is null ? term : total + term;
        }
        return total!.MoveToOuterDisposeScope();
    }

    /// <summary>The loss of one map of logits N x K x H x W against class indices N x H x W.</summary>
    public Tensor Term(Tensor logits, Tensor target)
    {
        LossTargets.Check(Name, logits, target);
        using var scope = NewDisposeScope();
        var x = LossTargets.ToLossPrecision(logits);
        var (oneHot, valid) = LossTargets.OneHot(target, x.shape[1], x.dtype);
        var logP = nn.functional.log_softmax(x, 1);
        var log1mP = Log1MinusExp(logP);
        // Per-pixel BCE summed over channels, then averaged over channels and labelled pixels.
        var perPixel = -(oneHot * logP + (1 - oneHot) * log1mP) * valid;
        var labelled = valid.sum().clamp_min(1) * x.shape[1];
        var bce = perPixel.sum() / labelled;
        var loss = _bceWeight * bce;
        if (_diceWeight > 0)
        {
            var dice = SoftDice.Coefficient(logP.exp(), oneHot, valid, firstClass: 1, perImage: _perImageDice, smooth: _smooth);
            loss = loss + _diceWeight * (1 - dice);
        }
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// log(1 - exp(a)) for a = log p &lt;= 0, stable at both ends (Maechler's log1mexp). Each branch gets an
    /// input clamped to its own range so the branch not taken yields no infinite gradient; p is capped at
    /// 1 - 1e-7 as Keras clips probabilities in its binary cross-entropy.
    /// </summary>
    static Tensor Log1MinusExp(Tensor logP)
    {
        const double ln2 = 0.69314718055994531;
        using var nearZero = logP.clamp(min: -ln2, max: -1e-7);
        using var farFromZero = logP.clamp(max: -ln2);
        using var small = nearZero.expm1().neg().log();
        using var large = farFromZero.exp().neg().log1p();
        using var useSmall = logP.gt(-ln2);
        return torch.where(useSmall, small, large);
    }
}
