using SoSeg.Models;
using SoSeg.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Tests.Losses;

public class CrossEntropyDiceLossTests
{
    [Fact]
    public void Uniform_prediction_gives_the_hand_computed_values()
    {
        using var scope = NewDisposeScope();
        var output = new SegmentationOutput(zeros(1, 2, 1, 2));
        var target = tensor(new long[] { 1, 1 }).reshape(1, 1, 2);
        // CE = ln 2. Pooled Dice (milesial): sum p*y = 1, sum p = 2, sum y = 2 -> 0.5.
        Assert.Equal(Math.Log(2) + 0.5, new CrossEntropyDiceLoss().Compute(output, target).item<float>(), 5);
        // Foreground-only Dice: p1 = [.5, .5], y1 = [1, 1] -> 2 * 1 / 3.
        Assert.Equal(Math.Log(2) + 1.0 / 3, new CrossEntropyDiceLoss(foregroundOnly: true).Compute(output, target).item<float>(), 5);
    }

    [Fact]
    public void Ignored_pixels_do_not_count()
    {
        using var scope = NewDisposeScope();
        var reference = new CrossEntropyDiceLoss().Compute(
            new SegmentationOutput(tensor(new float[] { 0.5f, -2f, 1f, 0.1f }).reshape(1, 2, 1, 2)),
            tensor(new long[] { 0, 1 }).reshape(1, 1, 2));
        var withIgnored = new CrossEntropyDiceLoss().Compute(
            new SegmentationOutput(tensor(new float[] { 0.5f, -2f, 8f, 1f, 0.1f, -8f }).reshape(1, 2, 1, 3)),
            tensor(new long[] { 0, 1, 255 }).reshape(1, 1, 3));
        Assert.Equal(reference.item<float>(), withIgnored.item<float>(), 5);
    }

    [Fact]
    public void Perfect_prediction_gives_about_zero()
    {
        using var scope = NewDisposeScope();
        var target = tensor(new long[] { 0, 1, 1, 0 }).reshape(1, 2, 2);
        var logits = nn.functional.one_hot(target, 2).permute(0, 3, 1, 2).to(ScalarType.Float32) * 40 - 20;
        Assert.InRange(new CrossEntropyDiceLoss().Compute(new SegmentationOutput(logits), target).item<float>(), 0, 1e-5);
    }
}
