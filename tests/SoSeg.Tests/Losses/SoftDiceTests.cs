using SoSeg.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Tests.Losses;

public class SoftDiceTests
{
    [Fact]
    public void Batch_and_per_image_reductions_give_the_hand_computed_values()
    {
        using var scope = NewDisposeScope();
        // Image 1: foreground p = [1, 0], y = [1, 0]. Image 2: p = [0.5, 0], y = [0, 0].
        var foreground = tensor(new float[] { 1, 0, 0.5f, 0 }).reshape(2, 1, 1, 2);
        var probabilities = cat([1 - foreground, foreground], 1);
        var target = tensor(new long[] { 1, 0, 0, 0 }).reshape(2, 1, 2);
        var (oneHot, valid) = LossTargets.OneHot(target, 2, ScalarType.Float32);
        // Per image: (2 + 1) / (1 + 1 + 1) = 1 and (0 + 1) / (0.5 + 0 + 1) = 2/3 -> mean 5/6.
        Assert.Equal(5.0 / 6, SoftDice.Coefficient(probabilities, oneHot, valid, perImage: true).item<float>(), 5);
        // Over the batch: I = 1, P = 1.5, G = 1 -> 3 / 3.5.
        Assert.Equal(3 / 3.5, SoftDice.Coefficient(probabilities, oneHot, valid).item<float>(), 5);
        // Background included, pooled over classes: I = 1 + (1 + 0.5 + 1) = 3.5, P = 4, G = 4 -> 8 / 9.
        Assert.Equal(8.0 / 9, SoftDice.Coefficient(probabilities, oneHot, valid, firstClass: 0, poolClasses: true).item<float>(), 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => SoftDice.Coefficient(probabilities, oneHot, valid, firstClass: 2));
    }

    [Fact]
    public void One_hot_zeroes_ignored_pixels()
    {
        using var scope = NewDisposeScope();
        var (oneHot, valid) = LossTargets.OneHot(tensor(new long[] { 2, 255, 0 }).reshape(1, 1, 3), 3, ScalarType.Float32);
        Assert.Equal(new float[] { 0, 0, 1, 0, 0, 0, 1, 0, 0 }, oneHot.permute(0, 2, 3, 1).flatten().data<float>().ToArray());
        Assert.Equal(new float[] { 1, 0, 1 }, valid.flatten().data<float>().ToArray());
    }
}
