using SoSeg.Metrics;

namespace SoSeg.Tests.Metrics;

public class MetricsWriterTests
{
    [Fact]
    public void Formats_numbers_like_the_paper()
    {
        Assert.Equal("87.02", MetricFormat.Percent(0.87021));
        Assert.Equal("0.83", MetricFormat.TenThousandths(0.000083));
        Assert.Equal("0.001%", MetricFormat.AreaPercent(0.00001));
        Assert.Equal("n/a", MetricFormat.Percent(null));
        Assert.Equal("", MetricFormat.Raw(null));
    }

    [Fact]
    public void Markdown_holds_both_protocols_by_stratum_and_the_paper_row()
    {
        var markdown = MetricsWriter.ToMarkdown(DatasetProtocolTests.TwoBinaryImages().Compute(), "U-Net");
        // Authors' mIoU: ultra-small and small hold the empty image only (15/16), all = 0.688889.
        Assert.Contains("| mIoU (%) | 93.75 | 93.75 | 68.89 |", markdown);
        // Pooled MAE 0.125 -> 1250.00 (×10⁻⁴); divided by 2 images -> 625.00.
        Assert.Contains("| MAE (×10⁻⁴) | 625.00 | 625.00 | 1250.00 |", markdown);
        Assert.Contains("| MAE ÷ images (×10⁻⁴, authors' scale) | 625.00 | 625.00 | 625.00 |", markdown);
        // Per-image Dice: the empty image with one false pixel scores 0; all = (4/7 + 0) / 2.
        Assert.Contains("| mDice (%) | 0.00 | 0.00 | 28.57 |", markdown);
        Assert.Contains("| U-Net | 93.75 | 93.75 | 68.89 |", markdown);
        Assert.Contains("| all classes | all | 1 | 1 | 0 | 100.00 | 2 | 1 | 50.00 |", markdown);
    }

    [Fact]
    public void Csv_has_one_row_per_image_with_empty_cells_for_undefined_values()
    {
        var evaluator = new SegmentationEvaluator(["background", "liver", "tumour"]);
        var (gt, h, w) = MaskText.Parse("1120", "1120", "x000");
        evaluator.Add("slice,1", MaskText.Bytes("1220", "1100", "2001"), gt, h, w, group: "vol1");
        var csv = MetricsWriter.ToPerImageCsv(evaluator.Compute()).TrimEnd().Split('\n');
        Assert.Equal(2, csv.Length);
        var header = csv[0].Split(',');
        Assert.Contains("liver_dice", header);
        Assert.Contains("tumour_f2", header);
        Assert.Equal("false_positives", header[^1]);
        Assert.StartsWith("\"slice,1\",vol1,3,4,1,0.333333333,all,0.833333333,", csv[1]);
        // Objects: 2 GT (liver 4/12, tumour 2/12: none below 1 % or 10 %), 2 found, none of them small,
        // 0 missed, 3 predicted (liver 3 px, liver 1 px, tumour 2 px), 1 false positive (the lone liver pixel).
        Assert.EndsWith(",2,0,0,2,0,0,0,3,1", csv[1].TrimEnd('\r'));
    }

    [Fact]
    public void Writes_the_three_files_atomically_and_reads_the_json_back()
    {
        string folder = Directory.CreateTempSubdirectory("soseg-metrics").FullName;
        try
        {
            var report = DatasetProtocolTests.TwoBinaryImages().Compute();
            MetricsWriter.WriteAll(report, folder, "test");
            Assert.Equal(["metrics.json", "metrics.md", "per_image.csv"], Directory.GetFiles(folder).Select(Path.GetFileName).Order());
            var back = MetricsWriter.ReadJson(Path.Combine(folder, "metrics.json"));
            Assert.Equal(report.Stratum("all").Dataset.Weighted.IoU, back.Stratum("all").Dataset.Weighted.IoU);
            Assert.Equal(report.Objects.Bins[2].Overall.FalsePositives, back.Objects.Bins[2].Overall.FalsePositives);
            Assert.Equal(EmptyCasePolicy.Exclude, back.Options.EmptyCase);
            string json = File.ReadAllText(Path.Combine(folder, "metrics.json"));
            Assert.Contains("\"emptyCase\": \"Exclude\"", json);
            Assert.Contains("\"recall\": null", json); // undefined values are null, never NaN
            File.WriteAllText(Path.Combine(folder, "broken.json"), "{");
            Assert.Throws<SoSegException>(() => MetricsWriter.ReadJson(Path.Combine(folder, "broken.json")));
        }
        finally { Directory.Delete(folder, true); }
    }
}
