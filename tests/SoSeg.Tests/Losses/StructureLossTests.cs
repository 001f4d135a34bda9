using SoSeg.Tests.TestData;
using SoSeg.Models;
using SoSeg.Runtime;
using SoSeg.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Tests.Losses;

public class StructureLossTests
{
    static Tensor Labels(long[,] values) =>
        tensor(values.Cast<long>().ToArray(), dtype: ScalarType.Int64).reshape(1, values.GetLength(0), values.GetLength(1));

    [Fact]
    public void Uniform_prediction_on_background_matches_the_hand_computed_value()
    {
        using var scope = NewDisposeScope();
        // p = 0.5 everywhere, mask empty: w = 1, BCE = ln 2, IoU term = 1 - 1 / (sum p + 1) = 1 - 1/3.
        var logits = zeros(1, 2, 2, 2);
        var target = zeros(1, 2, 2, dtype: ScalarType.Int64);
        float loss = new StructureLoss().ComputeMap(logits, target).item<float>();
        Assert.Equal(Math.Log(2) + 2.0 / 3.0, loss, 5);
    }

    [Fact]
    public void Boundary_weights_use_the_zero_padded_31x31_mean()
    {
        using var scope = NewDisposeScope();
        // All four pixels foreground: the window mean is 4/961, w = 1 + 5 (1 - 4/961) for each pixel;
        // I = 4 * 0.5 * w, U = 4 * 1.5 * w, IoU term = 1 - (2w + 1) / (4w + 1); BCE = ln 2 (equal weights).
        var logits = zeros(1, 2, 2, 2);
        var target = ones(1, 2, 2, dtype: ScalarType.Int64);
        double w = 1 + 5 * (1 - 4.0 / 961);
        double expected = Math.Log(2) + 1 - (2 * w + 1) / (4 * w + 1);
        Assert.Equal(expected, new StructureLoss().ComputeMap(logits, target).item<float>(), 5);
        Assert.Equal(expected, new StructureLoss(weightedBce: true).ComputeMap(logits, target).item<float>(), 5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Two_classes_reproduce_the_official_binary_loss_on_the_logit_difference(bool weightedBce)
    {
        using var random = new Generator(11);
        using var scope = NewDisposeScope();
        var logits = randn([2, 2, 40, 40], generator: random) * 3;
        var target = (randn([2, 1, 40, 40], generator: random).cumsum(2).cumsum(3) > 0).to(ScalarType.Int64).squeeze(1);

        // The official PyTorch formula on s = l1 - l0, written out independently.
        var s = logits[.., 1..] - logits[.., ..1];
        var mask = target.unsqueeze(1).to(ScalarType.Float32);
        var weight = 1 + 5 * (nn.functional.avg_pool2d(mask, 31, stride: 1, padding: 15) - mask).abs();
        var bce = nn.functional.binary_cross_entropy_with_logits(s, mask, reduction: nn.Reduction.None);
        var bceTerm = weightedBce ? (weight * bce).sum([2, 3]) / weight.sum([2, 3]) : bce.mean();
        var p = s.sigmoid();
        var inter = (p * mask * weight).sum([2, 3]);
        var union = ((p + mask) * weight).sum([2, 3]);
        var expected = (bceTerm + (1 - (inter + 1) / (union - inter + 1))).mean();

        var actual = new StructureLoss(weightedBce).ComputeMap(logits, target);
        Assert.Equal(expected.item<float>(), actual.item<float>(), 4);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Perfect_predictions_score_near_zero_and_inverted_ones_high(int classes)
    {
        using var random = new Generator(12);
        using var scope = NewDisposeScope();
        var target = randint(0, classes, [2, 24, 24], dtype: ScalarType.Int64, generator: random);
        var oneHot = nn.functional.one_hot(target, classes).permute(0, 3, 1, 2).to(ScalarType.Float32);
        var loss = new StructureLoss();
        Assert.True(loss.ComputeMap(oneHot * 30, target).item<float>() < 1e-3);
        Assert.True(loss.ComputeMap(oneHot * -30, target).item<float>() > 1);
    }

    [Fact]
    public void Several_classes_use_stable_one_vs_rest_probabilities()
    {
        using var random = new Generator(13);
        using var scope = NewDisposeScope();
        var logits = randn([1, 3, 8, 8], generator: random);
        var target = randint(0, 3, [1, 8, 8], dtype: ScalarType.Int64, generator: random);
        // With K = 3 the BCE term is the mean over classes 1 and 2 of -[m log p + (1 - m) log(1 - p)].
        var probability = logits.softmax(1)[.., 1..];
        var mask = nn.functional.one_hot(target, 3).permute(0, 3, 1, 2).to(ScalarType.Float32)[.., 1..];
        var bce = -(mask * probability.log() + (1 - mask) * (1 - probability).log()).mean();
        var weight = 1 + 5 * (nn.functional.avg_pool2d(mask, 31, stride: 1, padding: 15) - mask).abs();
        var inter = (probability * mask * weight).sum([2, 3]);
        var union = ((probability + mask) * weight).sum([2, 3]);
        var expected = bce + (1 - (inter + 1) / (union - inter + 1)).mean();
        Assert.Equal(expected.item<float>(), new StructureLoss().ComputeMap(logits, target).item<float>(), 4);

        // Extreme logits stay finite (log(1 - p) is not taken as log of a rounded difference).
        var extreme = logits * 1000;
        Assert.True(new StructureLoss().ComputeMap(extreme, target).isfinite().item<bool>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Ignored_pixels_have_no_effect_and_act_like_the_outside_of_the_image(bool weightedBce)
    {
        using var random = new Generator(14);
        using var scope = NewDisposeScope();
        var loss = new StructureLoss(weightedBce);
        var logits = randn([2, 3, 16, 16], generator: random);
        var target = randint(0, 3, [2, 16, 16], dtype: ScalarType.Int64, generator: random);
        float unpadded = loss.ComputeMap(logits, target).item<float>();

        // Pad right and bottom with ignored pixels and arbitrary logits: same loss.
        var paddedLogits = randn([2, 3, 20, 24], generator: random) * 10;
        paddedLogits[.., .., ..16, ..16] = logits;
        var paddedTarget = full([2, 20, 24], ISegmentationLoss.IgnoreIndex, dtype: ScalarType.Int64);
        paddedTarget[.., ..16, ..16] = target;
        Assert.Equal(unpadded, loss.ComputeMap(paddedLogits, paddedTarget).item<float>(), 4);

        var otherLogits = paddedLogits.clone();
        otherLogits[.., .., 16.., ..] = -paddedLogits[.., .., 16.., ..];
        Assert.Equal(unpadded, loss.ComputeMap(otherLogits, paddedTarget).item<float>(), 4);

        // Everything ignored: nothing to learn, zero loss with finite gradients.
        var all = full([2, 16, 16], ISegmentationLoss.IgnoreIndex, dtype: ScalarType.Int64);
        var x = logits.clone().requires_grad_(true);
        var nothing = loss.ComputeMap(x, all);
        nothing.backward();
        Assert.Equal(0f, nothing.item<float>(), 6);
        Assert.True(x.grad!.isfinite().all().item<bool>());
    }

    [Fact]
    public void Compute_sums_the_main_map_and_every_side_output()
    {
        using var random = new Generator(15);
        using var scope = NewDisposeScope();
        var loss = new StructureLoss();
        var target = Labels(new long[,] { { 0, 1, 1 }, { 0, 1, 0 } });
        var main = randn([1, 2, 2, 3], generator: random);
        var side1 = randn([1, 2, 2, 3], generator: random);
        var side2 = randn([1, 2, 2, 3], generator: random);
        float expected = loss.ComputeMap(main, target).item<float>() + loss.ComputeMap(side1, target).item<float>()
                         + loss.ComputeMap(side2, target).item<float>();
        Assert.Equal(expected, loss.Compute(new SegmentationOutput(main, [side1, side2]), target).item<float>(), 4);
        Assert.Equal(loss.ComputeMap(main, target).item<float>(), loss.Compute(new SegmentationOutput(main), target).item<float>());
    }

    [Fact]
    public void Mismatched_shapes_and_types_are_rejected()
    {
        using var scope = NewDisposeScope();
        var loss = new StructureLoss();
        Assert.Throws<ArgumentException>(() => loss.ComputeMap(zeros(1, 2, 4, 4), zeros(1, 4, 5, dtype: ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => loss.ComputeMap(zeros(1, 2, 4, 4), zeros(1, 4, 4, dtype: ScalarType.Int32)));
        Assert.Throws<ArgumentException>(() => loss.ComputeMap(zeros(1, 1, 4, 4), zeros(1, 4, 4, dtype: ScalarType.Int64)));
    }
}
