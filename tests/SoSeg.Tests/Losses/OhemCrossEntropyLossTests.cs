using SoSeg.Models;
using SoSeg.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Tests.Losses;

public class OhemCrossEntropyLossTests
{
    /// <summary>Two-class logits whose foreground probability is p at each pixel (target 1 there).</summary>
    static Tensor LogitsFor(double[] probabilities)
    {
        var foreground = probabilities.Select(p => (float)Math.Log(p / (1 - p))).ToArray();
        var background = new float[foreground.Length];
        return cat([tensor(background), tensor(foreground)]).reshape(1, 2, 1, probabilities.Length);
    }

    static readonly double[] Probabilities = [0.95, 0.8, 0.6, 0.3];

    [Fact]
    public void Keeps_pixels_below_the_threshold()
    {
        using var scope = NewDisposeScope();
        var target = ones(1, 1, 4, dtype: ScalarType.Int64);
        // min-kept 1: the probability at rank 1 (0.6) is below 0.7, so the threshold is 0.7: pixels 0.6 and 0.3.
        var loss = new OhemCrossEntropyLoss(0.7, 1).Compute(new SegmentationOutput(LogitsFor(Probabilities)), target);
        Assert.Equal((-Math.Log(0.6) - Math.Log(0.3)) / 2, loss.item<float>(), 5);
    }

    [Fact]
    public void Min_kept_raises_the_threshold()
    {
        using var scope = NewDisposeScope();
        var target = ones(1, 1, 4, dtype: ScalarType.Int64);
        // min-kept 3: rank 3 of [0.3, 0.6, 0.8, 0.95] is 0.95 > 0.7, so all below 0.95 are kept.
        var loss = new OhemCrossEntropyLoss(0.7, 3).Compute(new SegmentationOutput(LogitsFor(Probabilities)), target);
        Assert.Equal((-Math.Log(0.3) - Math.Log(0.6) - Math.Log(0.8)) / 3, loss.item<float>(), 5);
    }

    [Fact]
    public void Ignored_pixels_are_not_candidates()
    {
        using var scope = NewDisposeScope();
        // The 0.3 pixel is ignored: only 0.6 is below the threshold.
        var target = tensor(new long[] { 1, 1, 1, 255 }).reshape(1, 1, 4);
        var loss = new OhemCrossEntropyLoss(0.7, 1).Compute(new SegmentationOutput(LogitsFor(Probabilities)), target);
        Assert.Equal(-Math.Log(0.6), loss.item<float>(), 5);
    }

    [Fact]
    public void Nothing_hard_or_nothing_labelled_gives_zero()
    {
        using var scope = NewDisposeScope();
        var easy = LogitsFor([0.99, 0.99, 0.99]).requires_grad_();
        var loss = new OhemCrossEntropyLoss(0.7, 1).Compute(new SegmentationOutput(easy), ones(1, 1, 3, dtype: ScalarType.Int64));
        Assert.Equal(0f, loss.item<float>());
        loss.backward();
        Assert.NotNull(easy.grad);
        var ignored = new OhemCrossEntropyLoss().Compute(new SegmentationOutput(LogitsFor([0.5])), full(1, 1, 1, 255L, dtype: ScalarType.Int64));
        Assert.Equal(0f, ignored.item<float>());
    }
}
