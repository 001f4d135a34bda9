using SoSeg.Data;
using SoSeg.Metrics;

namespace SoSeg.Tests.Metrics;

/// <summary>Lifecycle (add, compute, reset), groups and input checks.</summary>
public class SegmentationEvaluatorTests
{
    [Fact]
    public void Compute_can_be_repeated_and_reset_forgets_everything()
    {
        var evaluator = DatasetProtocolTests.TwoBinaryImages();
        var first = evaluator.Compute();
        var second = evaluator.Compute();
        Assert.Equal(first.Stratum("all").Dataset.Weighted.IoU, second.Stratum("all").Dataset.Weighted.IoU);
        Assert.Equal(2, evaluator.ImageCount);

        evaluator.Reset();
        Assert.Equal(0, evaluator.ImageCount);
        var empty = evaluator.Compute();
        Assert.Equal(0, empty.ImageCount);
        Assert.Null(empty.Stratum("all").Dataset.Weighted.IoU);
        Assert.Empty(empty.Images);
        // The same ids may be added again after a reset.
        var (gt, h, w) = MaskText.Parse("01");
        evaluator.Add("a", gt, gt, h, w);
        Assert.Equal(1.0, evaluator.Compute().Stratum("all").Dataset.Weighted.IoU);
    }

    [Fact]
    public void Groups_are_reported_like_separate_evaluations()
    {
        var grouped = new SegmentationEvaluator(["background", "polyp"]);
        var centre1 = new SegmentationEvaluator(["background", "polyp"]);
        var random = new Random(5);
        for (int i = 0; i < 6; i++)
        {
            var gt = new byte[64];
            var pred = new byte[64];
            for (int p = 0; p < 64; p++) { gt[p] = (byte)(random.Next(4) == 0 ? 1 : 0); pred[p] = (byte)(random.Next(4) == 0 ? 1 : 0); }
            string group = i % 2 == 0 ? "C1" : "C2";
            grouped.Add($"img{i}", pred, gt, 8, 8, group: group);
            if (group == "C1") centre1.Add($"img{i}", pred, gt, 8, 8);
        }
        var report = grouped.Compute();
        Assert.Equal(["C1", "C2"], report.Groups.Select(g => g.Name));
        var c1 = report.Groups[0];
        var alone = centre1.Compute().Stratum("all");
        Assert.Equal(3, c1.ImageCount);
        Assert.Equal(alone.Dataset.Weighted.Dice, c1.Dataset.Weighted.Dice);
        Assert.Equal(alone.PerImage.Foreground.Dice, c1.PerImage.Foreground.Dice);
        Assert.Equal("C2", report.Images[1].Group);
    }

    [Fact]
    public void Adds_a_decoded_sample()
    {
        var evaluator = new SegmentationEvaluator(["background", "polyp"]);
        var sample = new SegmentationSample
        {
            Id = "C3_0042",
            Channels = 1,
            Height = 1,
            Width = 4,
            Image = new float[4],
            Mask = MaskText.Bytes("0110"),
            Origin = new SampleOrigin("img.png", "mask.png", Group: "C3"),
        };
        var result = evaluator.Add(sample, MaskText.Bytes("0100"));
        Assert.Equal(("C3_0042", "C3"), (result.Id, result.Group));
        Assert.Equal(2.0 / 3, result.Foreground.Dice!.Value, 9); // TP 1, FN 1 -> 2/3
        var unlabelled = new SegmentationSample { Id = "u", Channels = 1, Height = 1, Width = 1, Image = new float[1], Origin = new SampleOrigin("u.png", null) };
        Assert.Throws<ArgumentException>(() => evaluator.Add(unlabelled, new byte[1]));
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_image_named_and_leaves_the_sums_unchanged()
    {
        var evaluator = new SegmentationEvaluator(["background", "polyp"]);
        var ok = MaskText.Bytes("01");
        evaluator.Add("good", ok, ok, 1, 2);

        var e = Assert.Throws<ArgumentException>(() => evaluator.Add("bad-class", MaskText.Bytes("02"), ok, 1, 2));
        Assert.Contains("bad-class", e.Message);
        Assert.Throws<ArgumentException>(() => evaluator.Add("bad-label", ok, MaskText.Bytes("03"), 1, 2));
        Assert.Throws<ArgumentException>(() => evaluator.Add("bad-size", ok, ok, 2, 2));
        Assert.Throws<ArgumentException>(() => evaluator.Add("good", ok, ok, 1, 2));
        Assert.Throws<ArgumentException>(() => evaluator.Add("probabilities", ok, ok, 1, 2, new float[4]));
        Assert.Throws<ArgumentException>(() => new SegmentationEvaluator(["only-background"]));
        Assert.Throws<ArgumentException>(() => new SegmentationEvaluator(["a", "a"]));

        var report = evaluator.Compute();
        Assert.Equal(1, report.ImageCount);
        Assert.Equal(1.0, report.Stratum("all").Dataset.Weighted.Dice);
        Assert.Equal(["good"], report.Images.Select(i => i.Id));
    }

    [Fact]
    public void Probabilities_out_of_range_are_rejected()
    {
        var evaluator = new SegmentationEvaluator(["background", "polyp"]);
        var ok = MaskText.Bytes("01");
        Assert.Throws<ArgumentException>(() => evaluator.Add("nan", ok, ok, 1, 2, [1f, 0f, float.NaN, 1f]));
        Assert.Throws<ArgumentException>(() => evaluator.Add("logits", ok, ok, 1, 2, [3f, -2f, -3f, 2f]));
        Assert.Equal(0, evaluator.ImageCount);
    }

    [Fact]
    public void A_large_image_with_thousands_of_small_objects_is_matched_object_by_object()
    {
        // 512 x 512 with 4096 small objects (its speed is measured by `soseg bench`, not here).
        const int size = 512;
        var gt = new byte[size * size];
        var pred = new byte[size * size];
        for (int y = 0; y < size; y += 8)
            for (int x = 0; x < size; x += 8)
            {
                gt[y * size + x] = 1;
                pred[y * size + x + 1] = 1; // beside the object: adjacent, not overlapping
                if ((x / 8) % 2 == 0) pred[y * size + x] = 1;
            }
        var evaluator = new SegmentationEvaluator(["background", "cell"]);
        var result = evaluator.Add("big", pred, gt, size, size);
        // 64 x 64 objects; those in even block columns are covered by their predicted pair, the others only touched.
        Assert.Equal(64 * 64, result.Objects.GroundTruthObjects);
        Assert.Equal(64 * 32, result.Objects.Found);
    }
}
