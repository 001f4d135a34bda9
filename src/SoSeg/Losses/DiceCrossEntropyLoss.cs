using SoSeg.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Losses;

/// <summary>
/// nnU-Net's default loss (<c>DC_and_CE_loss</c> with <c>batch_dice</c>, <c>do_bg=False</c>, smooth 1e-5):
/// cross-entropy over labelled pixels + (1 - soft Dice), the Dice computed per foreground class over the
/// whole batch (sums over images and pixels) and averaged over the foreground classes. nnU-Net returns
/// CE - Dice; the constant 1 here only keeps the loss non-negative. Ignored pixels count in neither term.
/// </summary>
public sealed class DiceCrossEntropyLoss : ISegmentationLoss
{
    public const double Smooth = 1e-5;

    public string Name => "dice-ce";

    public Tensor Compute(SegmentationOutput output, Tensor target)
    {
        LossTargets.Check(Name, output.Logits, target, minClasses: 2);
        using var scope = NewDisposeScope();
        var logits = LossTargets.ToLossPrecision(output.Logits);
        var (oneHot, valid) = LossTargets.OneHot(target, logits.shape[1], logits.dtype);
        var dice = SoftDice.Coefficient(nn.functional.softmax(logits, 1), oneHot, valid, firstClass: 1, smooth: Smooth);
        return (LossTargets.MeanCrossEntropy(logits, target) + (1 - dice)).MoveToOuterDisposeScope();
    }
}
