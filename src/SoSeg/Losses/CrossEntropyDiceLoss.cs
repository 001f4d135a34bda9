using SoSeg.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Losses;

/// <summary>
/// U-Net's loss as trained by milesial/Pytorch-UNet (<c>train.py</c> + <c>utils/dice_score.py</c>):
/// cross-entropy + (1 - soft Dice), Dice between the softmax probabilities and the one-hot target pooled
/// over the batch and all K classes, background included (<c>multiclass_dice_coeff</c> with
/// <c>reduce_batch_first</c>), epsilon 1e-6. Set <c>foregroundOnly</c> to average the Dice over the
/// foreground classes instead, which does not let the background dominate on small objects.
/// Pixels labelled 255 are ignored by both terms. Only the main logits are supervised.
/// </summary>
public sealed class CrossEntropyDiceLoss : ISegmentationLoss
{
    readonly double _diceWeight;
    readonly bool _foregroundOnly;

    /// <param name="diceWeight">Weight of the Dice term (1 in the reference).</param>
    /// <param name="foregroundOnly">Per-class Dice over classes 1..K-1 instead of the reference's pooled Dice over all classes.</param>
    public CrossEntropyDiceLoss(double diceWeight = 1.0, bool foregroundOnly = false)
    {
        if (diceWeight < 0) throw new ArgumentException($"ce-dice loss: the Dice weight must be non-negative, got {diceWeight}.");
        _diceWeight = diceWeight;
        _foregroundOnly = foregroundOnly;
    }

    public string Name => "ce-dice";

    public Tensor Compute(SegmentationOutput output, Tensor target)
    {
        LossTargets.Check(Name, output.Logits, target);
        using var scope = NewDisposeScope();
        var x = LossTargets.ToLossPrecision(output.Logits);
        var loss = LossTargets.MeanCrossEntropy(x, target);
        if (_diceWeight > 0)
        {
            var (oneHot, valid) = LossTargets.OneHot(target, x.shape[1], x.dtype);
            var probabilities = nn.functional.softmax(x, 1);
            var dice = _foregroundOnly
                ? SoftDice.Coefficient(probabilities, oneHot, valid, firstClass: 1, smooth: 1e-6)
                : SoftDice.Coefficient(probabilities, oneHot, valid, firstClass: 0, poolClasses: true, smooth: 1e-6);
            loss = loss + _diceWeight * (1 - dice);
        }
        return loss.MoveToOuterDisposeScope();
    }
}
