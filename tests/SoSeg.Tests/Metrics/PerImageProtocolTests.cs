using SoSeg.Metrics;

namespace SoSeg.Tests.Metrics;

/// <summary>Protocol (b), the polyp benchmark's: per-image foreground scores averaged over images.</summary>
public class PerImageProtocolTests
{
    private const double Tolerance = 1e-9;
    /// <summary>Probabilities are float32: their decimal values are exact only to about 1e-7.</summary>
    private const double FloatTolerance = 1e-6;

    [Fact]
    public void Scores_each_image_then_averages_over_images()
    {
        var report = DatasetProtocolTests.TwoBinaryImages().Compute();
        // Image a: TP 2, FP 1, FN 2 -> Dice 4/7, IoU 2/5, P 2/3, R 1/2, F2 = 5(2/3)(1/2) / (8/3 + 1/2) = 10/19; MAE 3/16.
        var a = report.Images[0].Foreground;
        Assert.Equal(4.0 / 7, a.Dice!.Value, Tolerance);
        Assert.Equal(0.4, a.IoU!.Value, Tolerance);
        Assert.Equal(2.0 / 3, a.Precision!.Value, Tolerance);
        Assert.Equal(0.5, a.Recall!.Value, Tolerance);
        Assert.Equal(10.0 / 19, a.F2!.Value, Tolerance);
        Assert.Equal(3.0 / 16, a.Mae!.Value, Tolerance);
        // Image b: no polyp, one false pixel: TP 0 -> every score 0; MAE 1/16.
        var b = report.Images[1].Foreground;
        Assert.Equal(0, b.Dice);
        Assert.Equal(0, b.Precision);
        Assert.Equal(0, b.Recall);
        Assert.Equal(1.0 / 16, b.Mae!.Value, Tolerance);
        // Means over the two images.
        var all = report.Stratum("all").PerImage.Foreground;
        Assert.Equal(2, all.ScoredImages);
        Assert.Equal(2.0 / 7, all.Dice!.Value, Tolerance);
        Assert.Equal(0.2, all.IoU!.Value, Tolerance);
        Assert.Equal(5.0 / 19, all.F2!.Value, Tolerance);
        Assert.Equal(0.125, all.Mae!.Value, Tolerance);
        Assert.Null(all.MeanDiceOverThresholds); // no probabilities given
    }

    [Theory]
    [InlineData(EmptyCasePolicy.Exclude, 1L, 4.0 / 7)]          // (4/7) / 1 image scored
    [InlineData(EmptyCasePolicy.CountAsOne, 2L, (4.0 / 7 + 1) / 2)]
    [InlineData(EmptyCasePolicy.CountAsZero, 2L, 2.0 / 7)]
    public void An_empty_prediction_on_an_empty_label_follows_the_policy(EmptyCasePolicy policy, long scored, double meanDice)
    {
        var evaluator = new SegmentationEvaluator(["background", "polyp"], new EvaluationOptions { EmptyCase = policy });
        var (gtA, h, w) = MaskText.Parse("0000", "0110", "0110", "0000");
        evaluator.Add("a", MaskText.Bytes("0000", "0111", "0000", "0000"), gtA, h, w);
        var empty = new byte[16];
        var result = evaluator.Add("empty", empty, empty, h, w);
        Assert.Equal(0.0, result.Foreground.Mae); // MAE is always defined: no pixel is wrong
        var means = evaluator.Compute().Stratum("all").PerImage.Foreground;
        Assert.Equal(scored, means.ScoredImages);
        Assert.Equal(meanDice, means.Dice!.Value, Tolerance);
    }

    [Fact]
    public void An_image_with_every_pixel_ignored_scores_nothing_even_when_empty_counts_as_one()
    {
        var evaluator = new SegmentationEvaluator(["background", "polyp"], new EvaluationOptions { EmptyCase = EmptyCasePolicy.CountAsOne });
        var result = evaluator.Add("ignored", MaskText.Bytes("11"), MaskText.Bytes("xx"), 1, 2);
        Assert.Null(result.Foreground.Dice);
        Assert.Null(result.Foreground.Mae);
        Assert.Null(result.ClassIndexMae);
        Assert.Equal(0, evaluator.Compute().Stratum("all").PerImage.Foreground.ScoredImages);
    }

    [Fact]
    public void Multi_class_images_are_scored_on_the_foreground_union_and_per_class()
    {
        var report = DatasetProtocolTests.MultiClassImage().Compute();
        var image = report.Images[0];
        // Union: GT foreground 6 pixels, predicted foreground 6 (ignored pixel left out), both 5 -> TP 5, FP 1, FN 1.
        // Dice 10/12, IoU 5/7; a liver pixel predicted as tumour still counts as foreground.
        Assert.Equal(10.0 / 12, image.Foreground.Dice!.Value, Tolerance);
        Assert.Equal(5.0 / 7, image.Foreground.IoU!.Value, Tolerance);
        Assert.Equal(2.0 / 11, image.Foreground.Mae!.Value, Tolerance);
        // Liver: TP 3, FP 1, FN 1 -> Dice 6/8; tumour: TP 1, FP 1, FN 1 -> Dice 2/4.
        Assert.Equal("liver", image.Classes[0].Name);
        Assert.Equal(0.75, image.Classes[0].Scores.Dice!.Value, Tolerance);
        Assert.Equal(0.5, image.Classes[1].Scores.Dice!.Value, Tolerance);
        // Liver MAE: wrong liver-vs-rest pixels (0,1) and (2,3) -> 2/11.
        Assert.Equal(2.0 / 11, image.Classes[0].Scores.Mae!.Value, Tolerance);
        Assert.Equal(4.0 / 11, image.ClassIndexMae!.Value, Tolerance);
        var perClass = report.Stratum("all").PerImage.Classes;
        Assert.Equal([1, 2], perClass.Select(c => c.Index));
        Assert.Equal(0.5, perClass[1].Means.Dice!.Value, Tolerance);
    }

    /// <summary>
    /// A 1 x 4 image, GT [1 1 0 0], foreground probability p1 = [0.7 0.3 0.5 0].
    /// Min-max normalised: s = [1, 3/7, 5/7, 0] -> threshold bins 255, 109, 182, 0.
    /// Thresholds k/255 with k = 183..255 (73): {0} Dice 2/3, IoU 1/2; k = 110..182 (73): {0, 2} Dice 1/2, IoU 1/3;
    /// k = 1..109 (109): {0, 1, 2} Dice 4/5, IoU 2/3; k = 0 (1): all Dice 2/3, IoU 1/2.
    /// Mean Dice = (73 * 2/3 + 73 * 1/2 + 109 * 4/5 + 2/3) / 256 = 173.0333 / 256; mean IoU = 134 / 256.
    /// MAE = (0 + 4/7 + 5/7 + 0) / 4 = 9/28.
    /// </summary>
    [Fact]
    public void Threshold_sweep_and_continuous_mae_of_a_normalised_map()
    {
        var report = SweepImage(normalise: true);
        var image = report.Images[0].Foreground;
        Assert.Equal(9.0 / 28, image.Mae!.Value, FloatTolerance);
        Assert.Equal((73 * 2.0 / 3 + 73 * 0.5 + 109 * 0.8 + 2.0 / 3) / 256, image.MeanDiceOverThresholds!.Value, Tolerance);
        var means = report.Stratum("all").PerImage.Foreground;
        Assert.Equal("probabilities", report.ContinuousMapSource);
        Assert.Equal((73 * 2.0 / 3 + 73 * 0.5 + 109 * 0.8 + 2.0 / 3) / 256, means.MeanDiceOverThresholds!.Value, Tolerance);
        Assert.Equal(134.0 / 256, means.MeanIoUOverThresholds!.Value, Tolerance);
        Assert.Equal(0.8, means.MaxDiceOverThresholds!.Value, Tolerance);
        Assert.Equal(2.0 / 3, means.MaxIoUOverThresholds!.Value, Tolerance);
        // The fixed-threshold scores come from the class map [1 0 1 0]: TP 1, FP 1, FN 1 -> Dice 1/2.
        Assert.Equal(0.5, image.Dice!.Value, Tolerance);
    }

    /// <summary>
    /// Same image without normalisation: s = p1 -> bins 178, 76, 127, 0. k = 179..255 (77): nothing predicted,
    /// TP 0 -> 0; k = 128..178 (51): 2/3; k = 77..127 (51): 1/2; k = 1..76 (76): 4/5; k = 0: 2/3.
    /// Mean Dice = (51 * 2/3 + 51 / 2 + 76 * 4/5 + 2/3) / 256 = 120.9667 / 256; MAE = (0.3 + 0.7 + 0.5) / 4.
    /// </summary>
    [Fact]
    public void Threshold_sweep_of_a_raw_map()
    {
        var image = SweepImage(normalise: false).Images[0].Foreground;
        Assert.Equal(0.375, image.Mae!.Value, FloatTolerance);
        Assert.Equal((51 * 2.0 / 3 + 51 * 0.5 + 76 * 0.8 + 2.0 / 3) / 256, image.MeanDiceOverThresholds!.Value, Tolerance);
    }

    private static EvaluationReport SweepImage(bool normalise)
    {
        var evaluator = new SegmentationEvaluator(["background", "polyp"], new EvaluationOptions { NormalizeContinuousMap = normalise });
        float[] p1 = [0.7f, 0.3f, 0.5f, 0f];
        float[] probabilities = [.. p1.Select(p => 1 - p), .. p1];
        evaluator.Add("sweep", MaskText.Bytes("1010"), MaskText.Bytes("1100"), 1, 4, probabilities);
        return evaluator.Compute();
    }

    [Fact]
    public void Threshold_bins_follow_pranet_thresholds_exactly()
    {
        // Bin k holds the values s with k/255 <= s < (k+1)/255, so "s >= k/255" is "bin >= k".
        for (int k = 0; k < 256; k++)
        {
            Assert.Equal(k, ImageAnalyzer.ThresholdBin(k / 255.0));
            if (k > 0) Assert.Equal(k - 1, ImageAnalyzer.ThresholdBin(k / 255.0 - 1e-12));
        }
        Assert.Equal(255, ImageAnalyzer.ThresholdBin(1.0));
    }

    [Fact]
    public void For_two_classes_the_per_image_foreground_equals_the_dataset_level_foreground_of_one_image()
    {
        var random = new Random(99);
        for (int trial = 0; trial < 10; trial++)
        {
            int h = random.Next(4, 16), w = random.Next(4, 16);
            var gt = new byte[h * w];
            var pred = new byte[h * w];
            for (int i = 0; i < gt.Length; i++) { gt[i] = (byte)random.Next(2); pred[i] = (byte)random.Next(2); }
            gt[0] = 1; // the image always contains the class
            var evaluator = new SegmentationEvaluator(["background", "foreground"]);
            var image = evaluator.Add("r", pred, gt, h, w);
            var dataset = evaluator.Compute().Stratum("all").Dataset.Classes[1];
            Assert.Equal(dataset.Dice!.Value, image.Foreground.Dice!.Value, 12);
            Assert.Equal(dataset.IoU!.Value, image.Foreground.IoU!.Value, 12);
            Assert.Equal(dataset.Precision!.Value, image.Foreground.Precision!.Value, 12);
            Assert.Equal(dataset.Recall!.Value, image.Foreground.Recall!.Value, 12);
            Assert.Equal(dataset.F2!.Value, image.Foreground.F2!.Value, 12);
        }
    }

    [Fact]
    public void Ignored_pixels_are_left_out_of_the_continuous_maps()
    {
        var evaluator = new SegmentationEvaluator(["background", "polyp"], new EvaluationOptions { NormalizeContinuousMap = false });
        // Pixel 1 is ignored; its wild probability 1.0 on a background label must not count.
        float[] p1 = [0.75f, 1f, 0.25f];
        float[] probabilities = [.. p1.Select(p => 1 - p), .. p1];
        var result = evaluator.Add("i", MaskText.Bytes("110"), MaskText.Bytes("1x0"), 1, 3, probabilities);
        // MAE over pixels 0 and 2: (0.25 + 0.25) / 2.
        Assert.Equal(0.25, result.Foreground.Mae!.Value, FloatTolerance);
    }
}
