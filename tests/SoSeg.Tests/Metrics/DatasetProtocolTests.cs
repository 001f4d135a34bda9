using SoSeg.Metrics;

namespace SoSeg.Tests.Metrics;

/// <summary>Protocol (a), the authors': per-class sums over images, m-values weighted by the images containing each class.</summary>
public class DatasetProtocolTests
{
    private const double Tolerance = 1e-9;

    /// <summary>
    /// Two 4 x 4 binary images. Image "a": a 2 x 2 polyp, predicted as 3 pixels of which 2 hit.
    /// Image "b": no polyp, one false-positive pixel.
    /// </summary>
    internal static SegmentationEvaluator TwoBinaryImages(EvaluationOptions? options = null)
    {
        var evaluator = new SegmentationEvaluator(["background", "polyp"], options);
        var (gtA, h, w) = MaskText.Parse("0000", "0110", "0110", "0000");
        var predA = MaskText.Bytes("0000", "0111", "0000", "0000");
        evaluator.Add("a", predA, gtA, h, w);
        var gtB = MaskText.Bytes("0000", "0000", "0000", "0000");
        var predB = MaskText.Bytes("1000", "0000", "0000", "0000");
        evaluator.Add("b", predB, gtB, h, w);
        return evaluator;
    }

    [Fact]
    public void Sums_over_images_then_weights_classes_by_the_images_containing_them()
    {
        var all = TwoBinaryImages().Compute().Stratum("all").Dataset;
        // Polyp: I = 2 (a) + 0 (b), P = 3 + 1 = 4, G = 4 + 0 = 4, U = 6.
        // IoU = 2/6, Dice = 4/8, precision = 2/4, recall = 2/4, F2 = 5 * .25 / (2 + .5) = 0.5.
        var polyp = all.Classes[1];
        Assert.Equal((2L, 4L, 4L, 6L), (polyp.Intersection, polyp.Predicted, polyp.GroundTruth, polyp.Union));
        Assert.Equal(1.0 / 3, polyp.IoU!.Value, Tolerance);
        Assert.Equal(0.5, polyp.Dice!.Value, Tolerance);
        Assert.Equal(0.5, polyp.Precision!.Value, Tolerance);
        Assert.Equal(0.5, polyp.Recall!.Value, Tolerance);
        Assert.Equal(0.5, polyp.F2!.Value, Tolerance);
        Assert.Equal(1, polyp.ImagesContaining);
        // Background: a has G 12, P 13, I 11 (16 minus the 5 pixels that are polyp in either map);
        // b has G 16, P 15, I 15. Sums: I 26, P 28, G 28, U 30. IoU = 26/30, Dice = 52/56.
        var background = all.Classes[0];
        Assert.Equal((26L, 28L, 28L), (background.Intersection, background.Predicted, background.GroundTruth));
        Assert.Equal(26.0 / 30, background.IoU!.Value, Tolerance);
        Assert.Equal(52.0 / 56, background.Dice!.Value, Tolerance);
        Assert.Equal(2, background.ImagesContaining);
        // m-values: weights 2 (background, both images) and 1 (polyp, image a only).
        // mIoU = (2 * 26/30 + 1 * 1/3) / 3 = 0.688889; mDice = (2 * 52/56 + 0.5) / 3 = 0.785714.
        Assert.Equal((2 * 26.0 / 30 + 1.0 / 3) / 3, all.Weighted.IoU!.Value, Tolerance);
        Assert.Equal((2 * 52.0 / 56 + 0.5) / 3, all.Weighted.Dice!.Value, Tolerance);
        Assert.Equal((2 * 26.0 / 28 + 0.5) / 3, all.Weighted.Precision!.Value, Tolerance);
        Assert.Equal((2 * 26.0 / 28 + 0.5) / 3, all.Weighted.F2!.Value, Tolerance);
        // Unweighted: (26/30 + 1/3) / 2; foreground-only: the polyp class itself.
        Assert.Equal((26.0 / 30 + 1.0 / 3) / 2, all.Unweighted.IoU!.Value, Tolerance);
        Assert.Equal(1.0 / 3, all.Foreground.IoU!.Value, Tolerance);
    }

    [Fact]
    public void Mae_is_the_mean_class_index_error_and_the_authors_scale_divides_it_by_the_image_count()
    {
        var all = TwoBinaryImages().Compute().Stratum("all").Dataset;
        // Wrong pixels: 3 in a (2 missed, 1 false) + 1 in b = 4 of 32 -> 0.125; divided by 2 images -> 0.0625.
        Assert.Equal(32, all.EvaluatedPixels);
        Assert.Equal(0.125, all.Mae!.Value, Tolerance);
        Assert.Equal(0.0625, all.MaeDividedByImageCount!.Value, Tolerance);
    }

    [Fact]
    public void A_class_absent_from_every_image_of_a_stratum_has_no_weight()
    {
        // The ultra-small stratum holds only the empty image b (largest object ratio 0 < 1 %).
        var ultra = TwoBinaryImages().Compute().Stratum("ultra-small");
        Assert.Equal(1, ultra.ImageCount);
        var d = ultra.Dataset;
        // Polyp: G = 0 -> weight 0; its precision is I/P = 0/1 and its recall undefined.
        Assert.Equal(0, d.Classes[1].ImagesContaining);
        Assert.Equal(0, d.Classes[1].Precision);
        Assert.Null(d.Classes[1].Recall);
        // Background alone: I 15, P 15, G 16 -> IoU 15/16, precision 1, recall 15/16.
        Assert.Equal(15.0 / 16, d.Weighted.IoU!.Value, Tolerance);
        Assert.Equal(1.0, d.Weighted.Precision!.Value, Tolerance);
        Assert.Equal(15.0 / 16, d.Weighted.Recall!.Value, Tolerance);
        // No foreground class has weight: the foreground means are undefined.
        Assert.Null(d.Foreground.IoU);
        // One wrong pixel of 16, one image.
        Assert.Equal(1.0 / 16, d.Mae!.Value, Tolerance);
        Assert.Equal(1.0 / 16, d.MaeDividedByImageCount!.Value, Tolerance);
    }

    /// <summary>
    /// K = 3 (background, liver, tumour) with one ignored pixel whose prediction must not count.
    /// <code>
    /// GT    Pred
    /// 1120  1220
    /// 1120  1100
    /// x000  2001
    /// </code>
    /// </summary>
    internal static SegmentationEvaluator MultiClassImage(EvaluationOptions? options = null)
    {
        var evaluator = new SegmentationEvaluator(["background", "liver", "tumour"], options);
        var (gt, h, w) = MaskText.Parse("1120", "1120", "x000");
        var pred = MaskText.Bytes("1220", "1100", "2001");
        evaluator.Add("slice", pred, gt, h, w);
        return evaluator;
    }

    [Fact]
    public void Multi_class_with_ignored_pixels()
    {
        var d = MultiClassImage().Compute().Stratum("all").Dataset;
        Assert.Equal(11, d.EvaluatedPixels); // 12 pixels, one ignored
        // Liver: G {(0,0),(0,1),(1,0),(1,1)} = 4, P {(0,0),(1,0),(1,1),(2,3)} = 4, I = 3: IoU 3/5, Dice 6/8.
        Assert.Equal((3L, 4L, 4L), (d.Classes[1].Intersection, d.Classes[1].Predicted, d.Classes[1].GroundTruth));
        Assert.Equal(0.6, d.Classes[1].IoU!.Value, Tolerance);
        Assert.Equal(0.75, d.Classes[1].Dice!.Value, Tolerance);
        // Tumour: G {(0,2),(1,2)} = 2, P {(0,1),(0,2)} = 2 (the ignored (2,0) is left out), I = 1: IoU 1/3, Dice 1/2.
        Assert.Equal((1L, 2L, 2L), (d.Classes[2].Intersection, d.Classes[2].Predicted, d.Classes[2].GroundTruth));
        Assert.Equal(1.0 / 3, d.Classes[2].IoU!.Value, Tolerance);
        // Background: G 5, P 5, I 4: IoU 4/6, Dice 8/10.
        Assert.Equal(4.0 / 6, d.Classes[0].IoU!.Value, Tolerance);
        // Every class is in the one image: weights 1, 1, 1. mIoU = (4/6 + 3/5 + 1/3) / 3 = 0.533333.
        Assert.Equal((4.0 / 6 + 0.6 + 1.0 / 3) / 3, d.Weighted.IoU!.Value, Tolerance);
        Assert.Equal((0.8 + 0.75 + 0.5) / 3, d.Weighted.Dice!.Value, Tolerance);
        // |g - p|: (0,1) |1-2| = 1, (1,2) |2-0| = 2, (2,3) |0-1| = 1 -> 4 / 11.
        Assert.Equal(4.0 / 11, d.Mae!.Value, Tolerance);
    }

    [Fact]
    public void One_random_image_equals_the_per_class_formulas()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 10; trial++)
        {
            int k = random.Next(2, 5), h = random.Next(3, 20), w = random.Next(3, 20);
            var gt = new byte[h * w];
            var pred = new byte[h * w];
            for (int i = 0; i < gt.Length; i++)
            {
                gt[i] = random.Next(12) == 0 ? (byte)255 : (byte)random.Next(k);
                pred[i] = (byte)random.Next(k);
            }
            var evaluator = new SegmentationEvaluator(Enumerable.Range(0, k).Select(c => $"c{c}").ToList());
            evaluator.Add("r", pred, gt, h, w);
            var d = evaluator.Compute().Stratum("all").Dataset;

            double iouSum = 0, diceSum = 0;
            int present = 0;
            for (int c = 0; c < k; c++)
            {
                long inter = 0, p = 0, g = 0;
                for (int i = 0; i < gt.Length; i++)
                {
                    if (gt[i] == 255) continue;
                    if (pred[i] == c) p++;
                    if (gt[i] == c) g++;
                    if (pred[i] == c && gt[i] == c) inter++;
                }
                var cm = d.Classes[c];
                if (g == 0) { Assert.Equal(0, cm.ImagesContaining); continue; }
                Assert.Equal((double)inter / (p + g - inter), cm.IoU!.Value, 9);
                Assert.Equal(2.0 * inter / (p + g), cm.Dice!.Value, 9);
                Assert.Equal((double)inter / g, cm.Recall!.Value, 9);
                Assert.Equal(p > 0 ? (double)inter / p : 0, cm.Precision!.Value, 9);
                iouSum += cm.IoU.Value;
                diceSum += cm.Dice.Value;
                present++;
            }
            // One image: every present class has weight 1, so the m-values are plain means over present classes.
            Assert.Equal(iouSum / present, d.Weighted.IoU!.Value, 9);
            Assert.Equal(diceSum / present, d.Weighted.Dice!.Value, 9);
        }
    }
}
