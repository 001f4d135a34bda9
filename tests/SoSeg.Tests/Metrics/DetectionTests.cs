using SoSeg.Metrics;

namespace SoSeg.Tests.Metrics;

/// <summary>Object-level figures: ground-truth objects found or missed, predicted objects that are false positives.</summary>
public class DetectionTests
{
    private static DetectionReport Detect(string[] groundTruth, string[] prediction, EvaluationOptions? options = null, int classes = 2)
    {
        var evaluator = new SegmentationEvaluator(Enumerable.Range(0, classes).Select(c => c == 0 ? "background" : $"class{c}").ToList(), options);
        var (gt, h, w) = MaskText.Parse(groundTruth);
        evaluator.Add("i", MaskText.Bytes(prediction), gt, h, w);
        return evaluator.Compute().Objects;
    }

    [Fact]
    public void Found_missed_and_false_positive_objects()
    {
        // Three GT objects: A (top-left, 2 px, touched by a prediction), B (the diagonal pair, one object by
        // 8-connectivity, missed) and C (bottom-right, hit). Predictions: one on A, one on C, one lone false positive.
        var objects = Detect(
            ["11000000",
             "00000100",
             "00001000",
             "00000000",
             "00000011"],
            ["10000000",
             "00000000",
             "00000000",
             "01000000",
             "00000001"]);
        var all = objects.Bins[2].Overall;
        Assert.Equal((3L, 2L, 1L), (all.GroundTruthObjects, all.Found, all.Missed));
        Assert.Equal((3L, 2L, 1L), (all.PredictedObjects, all.TruePositivePredictions, all.FalsePositives));
        Assert.Equal(2.0 / 3, all.Recall!.Value, 9);
        Assert.Equal(2.0 / 3, all.Precision!.Value, 9);
        // 40 pixels: 2-pixel objects are 5 % (small), 1-pixel predictions 2.5 % (small): nothing is ultra-small.
        Assert.Equal(0, objects.Bins[0].Overall.GroundTruthObjects);
        Assert.Null(objects.Bins[0].Overall.Recall);
        Assert.Null(objects.Bins[0].Overall.Precision);
        Assert.Equal(3, objects.Bins[1].Overall.GroundTruthObjects);
        Assert.Equal(0.05, objects.ObjectAreaRatioMin!.Value, 12);
    }

    [Fact]
    public void Objects_are_binned_by_their_own_size_and_bins_are_cumulative()
    {
        // 10 x 20 image: a 1-pixel object (0.5 %, ultra-small), found; a 30-pixel object (15 %), missed.
        var gt = MaskText.Filled(10, 20, 30);
        gt[199] = 1;
        var prediction = new byte[200];
        prediction[199] = 1;
        var evaluator = new SegmentationEvaluator(["background", "lesion"]);
        var image = evaluator.Add("i", prediction, gt, 10, 20);
        var bins = evaluator.Compute().Objects.Bins;
        Assert.Equal([1L, 1L, 2L], bins.Select(b => b.Overall.GroundTruthObjects));
        Assert.Equal([1L, 1L, 1L], bins.Select(b => b.Overall.Found));
        Assert.Equal(1.0, bins[0].Overall.Recall);
        Assert.Equal(0.5, bins[2].Overall.Recall);
        Assert.Equal((2L, 1L, 1L, 1L, 1L), (image.Objects.GroundTruthObjects, image.Objects.UltraSmallObjects, image.Objects.Found, image.Objects.FoundUltraSmall, image.Objects.Missed));
    }

    [Fact]
    public void A_prediction_of_another_class_does_not_find_an_object()
    {
        // GT liver object predicted entirely as tumour: liver missed, tumour prediction a false positive.
        var objects = Detect(["0110", "0110"], ["0220", "0220"], classes: 3);
        var all = objects.Bins[2];
        Assert.Equal((1L, 0L), (all.Overall.GroundTruthObjects, all.Overall.Found));
        Assert.Equal(1, all.Overall.FalsePositives);
        Assert.Equal(1, all.Classes.Single(c => c.Name == "class1").Counts.Missed);
        Assert.Equal(1, all.Classes.Single(c => c.Name == "class2").Counts.FalsePositives);
    }

    [Theory]
    [InlineData(0.0, 1L)]   // any overlap
    [InlineData(0.25, 1L)]  // IoU = 1 / (4 + 1 - 1) = 0.25 reaches 0.25
    [InlineData(0.3, 0L)]
    public void The_matching_threshold_is_an_option(double minIoU, long found)
    {
        // A 2 x 2 object touched by a single predicted pixel.
        var objects = Detect(["1100", "1100", "0000"], ["1000", "0000", "0000"], new EvaluationOptions { DetectionMinIoU = minIoU });
        var all = objects.Bins[2].Overall;
        Assert.Equal(found, all.Found);
        Assert.Equal(1 - found, all.FalsePositives); // the prediction counts as true only if it found the object
        Assert.Equal(minIoU, objects.MinIoU);
    }

    [Theory]
    [InlineData(0.0, 2L, 0L)]
    [InlineData(0.5, 0L, 1L)]
    public void One_prediction_merging_two_objects(double minIoU, long found, long falsePositives)
    {
        // GT objects at columns 0 and 2; one predicted component spans columns 0..2.
        // Each object: overlap 1, IoU = 1 / (1 + 3 - 1) = 1/3.
        var all = Detect(["101"], ["111"], new EvaluationOptions { DetectionMinIoU = minIoU }).Bins[2].Overall;
        Assert.Equal((2L, found), (all.GroundTruthObjects, all.Found));
        Assert.Equal((1L, falsePositives), (all.PredictedObjects, all.FalsePositives));
    }

    [Fact]
    public void Predictions_on_ignored_pixels_are_not_objects()
    {
        var all = Detect(["x00", "x01"], ["100", "101"]).Bins[2].Overall;
        Assert.Equal((1L, 1L), (all.PredictedObjects, all.TruePositivePredictions));
    }

    [Fact]
    public void An_image_without_objects_reports_only_false_positives()
    {
        var objects = Detect(["0000", "0000"], ["1001", "0000"]);
        var all = objects.Bins[2].Overall;
        Assert.Equal((0L, 2L), (all.GroundTruthObjects, all.FalsePositives));
        Assert.Null(all.Recall);
        Assert.Equal(0.0, all.Precision);
        Assert.Null(objects.ObjectAreaRatioMin);
    }
}
