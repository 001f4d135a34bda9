using SoSeg.Metrics;

namespace SoSeg.Tests.Metrics;

public class BinaryScoresTests
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void Per_image_scores_follow_the_formulas()
    {
        // TP 3, FP 1, FN 2: Dice = 6/9, IoU = 3/6, P = 3/4, R = 3/5,
        // F2 = 5 * 0.75 * 0.6 / (4 * 0.75 + 0.6) = 2.25 / 3.6 = 0.625.
        var s = BinaryScores.PerImage(3, 1, 2, EmptyCasePolicy.Exclude);
        Assert.Equal(6.0 / 9, s.Dice, Tolerance);
        Assert.Equal(0.5, s.IoU, Tolerance);
        Assert.Equal(0.75, s.Precision, Tolerance);
        Assert.Equal(0.6, s.Recall, Tolerance);
        Assert.Equal(0.625, s.F2, Tolerance);
    }

    [Fact]
    public void F2_weights_recall_more_than_precision()
    {
        // F-beta = (1 + b²) P R / (b² P + R). P = 1, R = 0.5: F2 = 5 * 0.5 / (4 + 0.5) = 0.5556;
        // P = 0.5, R = 1: F2 = 5 * 0.5 / (2 + 1) = 0.8333; F1 of either = 2 * 0.5 / 1.5 = 0.6667.
        Assert.Equal(2.5 / 4.5, BinaryScores.FBeta(1, 0.5, 2), Tolerance);
        Assert.Equal(2.5 / 3, BinaryScores.FBeta(0.5, 1, 2), Tolerance);
        Assert.Equal(2.0 / 3, BinaryScores.FBeta(0.5, 1, 1), Tolerance);
        Assert.Equal(0, BinaryScores.FBeta(0, 0, 2));
        Assert.True(double.IsNaN(BinaryScores.FBeta(double.NaN, 1, 2)));
    }

    [Theory]
    [InlineData(EmptyCasePolicy.Exclude, double.NaN)]
    [InlineData(EmptyCasePolicy.CountAsOne, 1.0)]
    [InlineData(EmptyCasePolicy.CountAsZero, 0.0)]
    public void Empty_prediction_on_empty_label_follows_the_policy(EmptyCasePolicy policy, double expected)
    {
        var s = BinaryScores.PerImage(0, 0, 0, policy);
        Assert.Equal(expected, s.Dice);
        Assert.Equal(expected, s.IoU);
        Assert.Equal(expected, s.Precision);
        Assert.Equal(expected, s.Recall);
        Assert.Equal(expected, s.F2);
    }

    [Theory]
    [InlineData(0, 5)] // empty prediction, non-empty label
    [InlineData(5, 0)] // non-empty prediction, empty label
    [InlineData(3, 4)] // both non-empty but disjoint
    public void No_true_positive_scores_zero_whatever_the_policy(long fp, long fn)
    {
        foreach (var policy in Enum.GetValues<EmptyCasePolicy>())
        {
            var s = BinaryScores.PerImage(0, fp, fn, policy);
            Assert.Equal(new BinaryScores(0, 0, 0, 0, 0), s);
        }
    }

    [Fact]
    public void Dataset_level_scores_of_a_class_never_predicted_or_never_present()
    {
        // Present (G = 10) but never predicted (P = 0): IoU = 0/10, Dice = 0/10, precision 0 as the authors' I/(P+eps), recall 0.
        var missed = BinaryScores.DatasetLevel(0, 0, 10);
        Assert.Equal(new BinaryScores(0, 0, 0, 0, 0), missed);
        // Predicted (P = 4) but absent (G = 0): IoU = Dice = precision = 0, recall undefined, so F2 undefined.
        var phantom = BinaryScores.DatasetLevel(0, 4, 0);
        Assert.Equal(0, phantom.IoU);
        Assert.Equal(0, phantom.Dice);
        Assert.Equal(0, phantom.Precision);
        Assert.True(double.IsNaN(phantom.Recall));
        Assert.True(double.IsNaN(phantom.F2));
        // Neither: everything undefined.
        Assert.Equal(BinaryScores.Undefined.ToString(), BinaryScores.DatasetLevel(0, 0, 0).ToString());
    }
}
