using System.Text.Json;
using SoSeg.Cli;
using SoSeg.Data.Datasets;
using SoSeg.Data.Images;
using SoSeg.Data.Statistics;
using SoSeg.Tests.Cli;
using SoSeg.Tests.Data.Datasets;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Data.Statistics;

public class DatasetStatisticsTests
{
    /// <summary>
    /// 20 x 20 masks (400 pixels): 1 pixel = 0.25% (ultra-small), 4 px = 1% (small, not ultra-small:
    /// the bound is strict), 36 px = 9% (small), 64 px = 16% (large).
    /// Train a: class 1 = two diagonal pixels (one object, 0.5%) + a 6x6 block (9%); class 2 = an 8x8 block (16%).
    /// Train b: class 1 = a 2x2 block (1%) and a single pixel (0.25%). Test c: class 2 = a 1x1 pixel (0.25%).
    /// </summary>
    static string MakeDataset(TempFolder temp)
    {
        TestFiles.Json(temp.File("t1/dataset.json"), """
            { "name": "HandMade", "channel_names": { "0": "grey" }, "labels": { "background": 0, "normal": 1, "abnormal": 2 }, "file_ending": ".png" }
            """);
        var a = new byte[400];
        a[0] = 1;
        a[21] = 1; // (1, 1): touches (0, 0) diagonally
        TestFiles.Rectangle(20, 20, 10, 16, 0, 6, 1, a);
        TestFiles.Rectangle(20, 20, 0, 8, 10, 18, 2, a);
        var b = TestFiles.Rectangle(20, 20, 5, 7, 5, 7, 1);
        b[19 * 20 + 19] = 1;
        var c = new byte[400];
        c[50] = 2;
        foreach (var (id, mask, folder) in new[] { ("a", a, "Tr"), ("b", b, "Tr"), ("c", c, "Ts") })
        {
            var image = TestFiles.GreyPixels(20, 20);
            image[0] = (byte)id[0]; // distinct images: identical ones in two cases are a dataset problem
            ImageWriter.WriteGrey(temp.File($"t1/images{folder}/{id}_0000.png"), image, 20, 20);
            ImageWriter.WriteMask(temp.File($"t1/labels{folder}/{id}.png"), mask, 20, 20);
        }
        return temp.File("t1");
    }

    [Fact]
    public void Table_one_counts_objects_by_size_overall_and_per_class()
    {
        using var temp = new TempFolder();
        var stats = DatasetStatistics.Compute(SegmentationDataset.Open(MakeDataset(temp)));
        Assert.Equal((2, 1), (stats.TrainImages, stats.TestImages));
        Assert.Equal(3, stats.LabelledImages);
        // Objects: 2 px, 36 px, 64 px, 4 px, 1 px, 1 px.
        Assert.Equal(6, stats.All.Objects);
        Assert.Equal(3, stats.All.UltraSmall); // 2 px, 1 px, 1 px
        Assert.Equal(5, stats.All.Small); // all but 64 px
        Assert.Equal(1 / 400.0, stats.All.MinAreaRatio);
        Assert.Equal(64 / 400.0, stats.All.MaxAreaRatio);
        Assert.Equal(3, stats.All.Images);

        var normal = stats.PerClass[0];
        Assert.Equal(("normal", 4L, 2L, 4L), (normal.Name, normal.Objects, normal.UltraSmall, normal.Small));
        Assert.Equal(36 / 400.0, normal.MaxAreaRatio);
        Assert.Equal(2, normal.Images);
        var abnormal = stats.PerClass[1];
        Assert.Equal(("abnormal", 2L, 1L, 1L), (abnormal.Name, abnormal.Objects, abnormal.UltraSmall, abnormal.Small));
        Assert.Equal(1 / 400.0, abnormal.MinAreaRatio);
    }

    [Fact]
    public void Ignored_pixels_and_background_are_never_objects()
    {
        var accumulator = new ObjectStatisticsAccumulator(["background", "fg"]);
        var mask = new byte[16];
        mask[0] = 255;
        mask[5] = 255;
        accumulator.Add(mask, 4, 4);
        Assert.Equal(0, accumulator.All.Objects);
        Assert.Null(accumulator.All.MinAreaRatio);
        mask[10] = 1;
        accumulator.Add(mask, 4, 4);
        Assert.Equal(1, accumulator.All.Objects);
        Assert.Equal(2, accumulator.Masks);
    }

    [Fact]
    public void Volume_slices_count_as_images_and_can_be_restricted_to_labelled_ones()
    {
        using var temp = new TempFolder();
        for (int n = 0; n < 2; n++)
        {
            TestFiles.Volume(temp.File($"v/imagesTr/im{n}.nii.gz"), TestFiles.Ramp(10, 10, 5), 10, 10, 5);
            TestFiles.Labels(temp.File($"v/labelsTr/lb{n}.nii.gz"), TestFiles.LiverLabels(10, 10, 5), 10, 10, 5);
        }
        var dataset = SegmentationDataset.Open(temp.File("v"), new DatasetOptions { TestFraction = 0.5 });
        var all = DatasetStatistics.Compute(dataset);
        Assert.Equal((5, 5), (all.TrainImages, all.TestImages));
        var labelled = DatasetStatistics.Compute(dataset, dropEmptySlices: true);
        Assert.Equal((3, 3), (labelled.TrainImages, labelled.TestImages));
        // Per volume: liver rings in slices 1..3 (one object each, 6x6 = 36% or 32% of 100 px) and one 4-px tumour (4%).
        Assert.Equal(8, labelled.All.Objects);
        Assert.Equal(2, labelled.PerClass[1].Objects);
        Assert.Equal(2, labelled.PerClass[1].Small);
        Assert.Equal(0, labelled.PerClass[1].UltraSmall);
        Assert.Equal(0.04, labelled.PerClass[1].MinAreaRatio);
        Assert.Equal(0, labelled.PerClass[0].Small);
        Assert.Equal(all.All, labelled.All);
    }

    static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.RunSoseg(args);

    [Fact]
    public void Stats_command_prints_a_table_one_row_and_per_class_rows()
    {
        using var temp = new TempFolder();
        var (code, output, error) = Run("stats", MakeDataset(temp));
        Assert.True(code == 0, error);
        Assert.Contains("Images (train + test)", output);
        Assert.Contains("Ultra-small (<1%)", output);
        Assert.StartsWith("HandMade (SoSeg layout", output);
        Assert.Contains(output.Split('\n'), l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^HandMade\s+2 \+ 1\s+0\.250% ~ 16\.000%\s+3\s+5\s+6$"));
        Assert.Contains(output.Split('\n'), l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+normal\s+in 2 images\s+0\.250% ~ 9\.000%\s+2\s+4\s+4"));
    }

    [Fact]
    public void Stats_command_json_has_the_same_numbers()
    {
        using var temp = new TempFolder();
        var (code, output, error) = Run("stats", MakeDataset(temp), "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("trainImages").GetInt32());
        Assert.Equal("SoSeg", root.GetProperty("layout").GetString());
        Assert.Equal(6, root.GetProperty("all").GetProperty("objects").GetInt32());
        Assert.Equal(3, root.GetProperty("all").GetProperty("ultraSmall").GetInt32());
        Assert.Equal("abnormal", root.GetProperty("perClass")[1].GetProperty("name").GetString());
    }

    [Fact]
    public void Stats_command_reports_a_bad_folder_in_one_line()
    {
        using var temp = new TempFolder();
        var (code, _, error) = Run("stats", temp.Path);
        Assert.Equal(1, code);
        Assert.StartsWith($"error: {temp.Path}: cannot tell the dataset layout", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Stats_command_names_a_damaged_mask_in_one_line()
    {
        using var temp = new TempFolder();
        string data = MakeDataset(temp);
        string mask = Path.Combine(data, "labelsTr", "b.png");
        byte[] bytes = File.ReadAllBytes(mask);
        File.WriteAllBytes(mask, bytes[..(bytes.Length - 20)]);
        var (code, _, error) = Run("stats", data, "--no-progress");
        Assert.Equal(1, code);
        Assert.StartsWith($"error: {mask}: ", error);
        Assert.DoesNotContain("AggregateException", error);
    }
}
