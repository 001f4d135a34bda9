using SoSeg.Tests.TestData;
using SoSeg.Models;
using SoSeg.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Tests.Losses;

public class BceDiceLossTests
{
    static Tensor Logits(float[] values, long classes, long height, long width) =>
        tensor(values).reshape(1, classes, height, width);

    static Tensor Target(long[] values, long height, long width) => tensor(values).reshape(1, height, width);

    [Fact]
    public void Uniform_prediction_gives_the_hand_computed_value()
    {
        using var scope = NewDisposeScope();
        // p = 0.5 everywhere, target [1, 0]: BCE = ln 2; foreground Dice = (2*0.5 + 1) / (1 + 1 + 1) = 2/3.
        var loss = new BceDiceLoss().Compute(new SegmentationOutput(zeros(1, 2, 1, 2)), Target([1, 0], 1, 2));
        Assert.Equal(0.5 * Math.Log(2) + 1.0 / 3, loss.item<float>(), 5);
    }

    [Fact]
    public void Perfect_prediction_gives_about_zero()
    {
        using var scope = NewDisposeScope();
        var target = Target([0, 1, 2, 1, 0, 2], 2, 3);
        var logits = nn.functional.one_hot(target, 3).permute(0, 3, 1, 2).to(ScalarType.Float32) * 40 - 20;
        var loss = new BceDiceLoss().Compute(new SegmentationOutput(logits), target);
        Assert.InRange(loss.item<float>(), 0, 1e-5);
    }

    [Fact]
    public void Two_classes_reproduce_the_official_sigmoid_formula()
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(11);
        var logits = randn([2, 2, 5, 7], generator: random) * 3;
        var target = randint(0, 2, [2, 5, 7], dtype: ScalarType.Int64, generator: random);
        // Keras bce_dice_loss with one sigmoid channel: p = sigmoid(l1 - l0); 0.5 * BCE - Dice (+1 here).
        var p = (logits[.., 1] - logits[.., 0]).sigmoid();
        var y = target.to(ScalarType.Float32);
        var bce = -(y * p.log() + (1 - y) * (1 - p).log()).mean();
        var dice = (2 * (p * y).sum() + 1) / (p.sum() + y.sum() + 1);
        double expected = (0.5 * bce + 1 - dice).item<float>();
        var loss = new BceDiceLoss().Compute(new SegmentationOutput(logits), target);
        Assert.Equal(expected, loss.item<float>(), 4);
    }

    [Fact]
    public void Ignored_pixels_change_neither_the_loss_nor_get_a_gradient()
    {
        using var scope = NewDisposeScope();
        var reference = new BceDiceLoss().Compute(new SegmentationOutput(Logits([0.3f, -1f, 0.2f, 2f], 2, 1, 2)), Target([1, 0], 1, 2));
        // The same two pixels plus two ignored ones with arbitrary logits.
        var logits = Logits([0.3f, -1f, 5f, -7f, 0.2f, 2f, -3f, 9f], 2, 1, 4).requires_grad_();
        var loss = new BceDiceLoss().Compute(new SegmentationOutput(logits), Target([1, 0, 255, 255], 1, 4));
        Assert.Equal(reference.item<float>(), loss.item<float>(), 5);
        loss.backward();
        var ignoredGradient = logits.grad![.., .., .., 2..];
        Assert.Equal(0f, ignoredGradient.abs().sum().item<float>());
        Assert.True(logits.grad[.., .., .., ..2].abs().sum().item<float>() > 0);
    }

    [Fact]
    public void All_ignored_gives_zero_not_nan()
    {
        using var scope = NewDisposeScope();
        var loss = new BceDiceLoss().Compute(new SegmentationOutput(randn(1, 3, 2, 2)), full(1, 2, 2, 255L, dtype: ScalarType.Int64));
        Assert.Equal(0f, loss.item<float>());
    }

    [Fact]
    public void Deep_supervision_sums_the_side_outputs()
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(12);
        var heads = Enumerable.Range(0, 4).Select(_ => randn([1, 2, 3, 3], generator: random)).ToList();
        var target = randint(0, 2, [1, 3, 3], dtype: ScalarType.Int64, generator: random);
        var loss = new BceDiceLoss();
        double expected = heads.Sum(h => (double)loss.Term(h, target).item<float>());
        var output = new SegmentationOutput(randn([1, 2, 3, 3], generator: random), heads);
        Assert.Equal(expected, loss.Compute(output, target).item<float>(), 4);
        // Without side-output supervision only the logits count.
        var logitsOnly = new BceDiceLoss(useSideOutputs: false).Compute(output, target).item<float>();
        Assert.Equal(loss.Term(output.Logits, target).item<float>(), logitsOnly, 5);
    }

    [Fact]
    public void Extreme_logits_stay_finite()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 200, -200, -200, 200, 0, 0 }).reshape(1, 3, 1, 2).requires_grad_();
        var loss = new BceDiceLoss().Compute(new SegmentationOutput(logits), Target([0, 1], 1, 2));
        loss.backward();
        Assert.True(float.IsFinite(loss.item<float>()));
        Assert.False(logits.grad!.isnan().any().item<bool>());
    }

    [Fact]
    public void Mismatched_target_is_a_clear_error()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() =>
            new BceDiceLoss().Compute(new SegmentationOutput(zeros(1, 2, 4, 4)), zeros(1, 4, 5, dtype: ScalarType.Int64)));
        Assert.Contains("bce-dice", error.Message);
    }
}
