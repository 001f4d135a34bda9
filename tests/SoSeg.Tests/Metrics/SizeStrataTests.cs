using SoSeg.Metrics;

namespace SoSeg.Tests.Metrics;

/// <summary>Image strata by the area ratio of the largest ground-truth object: ultra-small (&lt; 1 %) ⊂ small (&lt; 10 %) ⊂ all.</summary>
public class SizeStrataTests
{
    // 10 x 20 = 200 pixels: 1 pixel = 0.5 %, 2 pixels = 1 %, 20 pixels = 10 %.
    private const int H = 10, W = 20;

    private static ImageResult AddObjects(SegmentationEvaluator evaluator, string id, byte[] groundTruth) =>
        evaluator.Add(id, new byte[H * W], groundTruth, H, W);

    [Theory]
    [InlineData(1, "ultra-small")] // 0.5 %
    [InlineData(2, "small")]       // exactly 1 %: "below 1 %" is strict, as the authors' AreaRatios < r
    [InlineData(19, "small")]      // 9.5 %
    [InlineData(20, "all")]        // exactly 10 %
    [InlineData(120, "all")]       // 60 %
    public void An_image_falls_in_the_narrowest_stratum_of_its_largest_object(int objectPixels, string stratum)
    {
        var evaluator = new SegmentationEvaluator(["background", "lesion"]);
        var result = AddObjects(evaluator, "i", MaskText.Filled(H, W, objectPixels));
        Assert.Equal(stratum, result.Stratum);
        Assert.Equal(objectPixels / 200.0, result.LargestObjectAreaRatio, 12);
    }

    [Fact]
    public void Strata_are_cumulative_and_the_largest_object_decides()
    {
        var evaluator = new SegmentationEvaluator(["background", "lesion"]);
        AddObjects(evaluator, "tiny", MaskText.Filled(H, W, 1));                 // 0.5 %
        AddObjects(evaluator, "mid", MaskText.Filled(H, W, 10));                 // 5 %
        // A 1-pixel object (ultra-small) and a 30-pixel object (15 %) apart: the image is only in "all".
        var mixed = MaskText.Filled(H, W, 30);
        mixed[H * W - 1] = 1;
        var result = AddObjects(evaluator, "mixed", mixed);
        Assert.Equal("all", result.Stratum);
        Assert.Equal(2, result.Objects.GroundTruthObjects);
        Assert.Equal(1, result.Objects.UltraSmallObjects);

        var report = evaluator.Compute();
        Assert.Equal([1L, 2L, 3L], report.Strata.Select(s => s.ImageCount));
        Assert.Equal(["ultra-small", "small", "all"], report.Strata.Select(s => s.Name));
        Assert.Equal(0.01, report.Strata[0].AreaRatioBelow);
        Assert.Null(report.Strata[2].AreaRatioBelow);
    }

    [Fact]
    public void The_largest_object_over_all_classes_decides_for_multi_class_images()
    {
        // A 1-pixel tumour next to a 40-pixel liver (20 %): the image is in "all" only.
        var evaluator = new SegmentationEvaluator(["background", "liver", "tumour"]);
        var gt = MaskText.Filled(H, W, 40);
        gt[H * W - 1] = 2;
        Assert.Equal("all", AddObjects(evaluator, "slice", gt).Stratum);
    }

    [Fact]
    public void Ignored_pixels_count_in_the_image_area()
    {
        // Half the image ignored, a 1-pixel object: 1/200 = 0.5 % (ultra-small), not 1/100 = 1 % (small).
        var evaluator = new SegmentationEvaluator(["background", "lesion"]);
        var gt = MaskText.Filled(H, W, 1);
        for (int i = 100; i < 200; i++) gt[i] = 255;
        var result = AddObjects(evaluator, "i", gt);
        Assert.Equal(0.005, result.LargestObjectAreaRatio, 12);
        Assert.Equal("ultra-small", result.Stratum);
        Assert.Equal(100, result.IgnoredPixels);
    }

    [Fact]
    public void Images_without_objects_are_in_every_stratum_by_default_or_only_in_all()
    {
        var authors = new SegmentationEvaluator(["background", "lesion"]);
        AddObjects(authors, "empty", new byte[H * W]);
        AddObjects(authors, "big", MaskText.Filled(H, W, 100));
        Assert.Equal([1L, 1L, 2L], authors.Compute().Strata.Select(s => s.ImageCount));
        Assert.Equal([0L, 0L, 1L], authors.Compute().Strata.Select(s => s.ImagesWithObjects));

        var onlyAll = new SegmentationEvaluator(["background", "lesion"], new EvaluationOptions { EmptyImages = EmptyImageStrata.OnlyAll });
        var result = AddObjects(onlyAll, "empty", new byte[H * W]);
        AddObjects(onlyAll, "big", MaskText.Filled(H, W, 100));
        Assert.Equal("all", result.Stratum);
        Assert.Equal([0L, 0L, 2L], onlyAll.Compute().Strata.Select(s => s.ImageCount));
    }

    [Fact]
    public void Thresholds_are_options()
    {
        // With 2 % and 20 % bounds, a 1 % object is ultra-small and a 10 % object small.
        var options = new EvaluationOptions { UltraSmallAreaRatio = 0.02, SmallAreaRatio = 0.2 };
        var evaluator = new SegmentationEvaluator(["background", "lesion"], options);
        Assert.Equal("ultra-small", AddObjects(evaluator, "a", MaskText.Filled(H, W, 2)).Stratum);
        Assert.Equal("small", AddObjects(evaluator, "b", MaskText.Filled(H, W, 20)).Stratum);
        Assert.Throws<ArgumentException>(() => new SegmentationEvaluator(["b", "f"], new EvaluationOptions { UltraSmallAreaRatio = 0.2, SmallAreaRatio = 0.1 }));
    }
}
