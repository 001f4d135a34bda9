using SoSeg.Metrics;
using static TorchSharp.torch;

namespace SoSeg.Tests.Metrics;

public class EvaluatorTensorExtensionsTests
{
    [Fact]
    public void A_batch_of_logits_gives_the_same_results_as_class_maps_and_softmax()
    {
        // Two 1 x 3 images, K = 2. Logits favour class 1 where the second channel is larger.
        using var logits = tensor(new float[]
        {
            // image 0: channel 0, channel 1 -> argmax [1, 0, 1]
            0f, 2f, 0f,   1f, 0f, 3f,
            // image 1: argmax [0, 0, 0]
            5f, 5f, 5f,   0f, 0f, 0f,
        }).reshape(2, 2, 1, 3);
        using var targets = tensor(new long[] { 1, 0, 255, 0, 1, 0 }).reshape(2, 1, 3);

        var viaTensors = new SegmentationEvaluator(["background", "polyp"]);
        var results = viaTensors.AddBatch(["a", "b"], logits, targets, withProbabilities: true, groups: ["C1", "C2"]);

        var direct = new SegmentationEvaluator(["background", "polyp"]);
        float Sigmoid(float x) => 1 / (1 + MathF.Exp(-x));
        // softmax of two logits: p1 = sigmoid(l1 - l0).
        float[] p1A = [Sigmoid(1 - 0), Sigmoid(0 - 2), Sigmoid(3 - 0)], p1B = [Sigmoid(-5), Sigmoid(-5), Sigmoid(-5)];
        direct.Add("a", [1, 0, 1], [1, 0, 255], 1, 3, [.. p1A.Select(p => 1 - p), .. p1A], "C1");
        direct.Add("b", [0, 0, 0], [0, 1, 0], 1, 3, [.. p1B.Select(p => 1 - p), .. p1B], "C2");

        Assert.Equal(["a", "b"], results.Select(r => r.Id));
        Assert.Equal(1.0, results[0].Foreground.Dice); // image a: TP 1, the ignored pixel's prediction left out
        Assert.Equal(0.0, results[1].Foreground.Dice);
        var expected = direct.Compute().Stratum("all");
        var actual = viaTensors.Compute().Stratum("all");
        Assert.Equal(expected.Dataset.Weighted.IoU, actual.Dataset.Weighted.IoU);
        Assert.Equal(expected.PerImage.Foreground.Mae!.Value, actual.PerImage.Foreground.Mae!.Value, 1e-6);
        Assert.Equal(expected.PerImage.Foreground.MeanDiceOverThresholds!.Value, actual.PerImage.Foreground.MeanDiceOverThresholds!.Value, 1e-6);
    }

    [Fact]
    public void Mismatched_shapes_are_rejected()
    {
        var evaluator = new SegmentationEvaluator(["background", "polyp"]);
        using var logits = zeros(1, 3, 2, 2);
        using var targets = zeros(new long[] { 1, 2, 2 }, ScalarType.Int64);
        Assert.Throws<ArgumentException>(() => evaluator.AddBatch(["a"], logits, targets)); // 3 classes vs 2
        using var twoClass = zeros(1, 2, 2, 2);
        using var wrongTargets = zeros(new long[] { 1, 2, 3 }, ScalarType.Int64);
        Assert.Throws<ArgumentException>(() => evaluator.AddBatch(["a"], twoClass, wrongTargets));
        using var negative = full(new long[] { 1, 2, 2 }, -100L, ScalarType.Int64);
        Assert.Throws<ArgumentException>(() => evaluator.AddBatch(["a"], twoClass, negative));
        Assert.Equal(0, evaluator.ImageCount);
    }
}
