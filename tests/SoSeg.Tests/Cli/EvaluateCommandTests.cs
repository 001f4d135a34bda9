using SoSeg.Augmentation;
using System.Text.Json;
using SoSeg.Data.Datasets;
using SoSeg.Data.Images;
using SoSeg.Models;
using SoSeg.Tests.Data.Datasets;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using SoSeg.Checkpoints;
using SoSeg.App.Training;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Cli;

/// <summary>`soseg evaluate` on volumes, 0/255 masks, subsets and folds, checkpoints of a run, and models that do not fit the data.</summary>
public class EvaluateCommandTests
{
    static (int Code, string Out, string Err) Evaluate(params string[] args) =>
        CliHarness.RunSoseg(["evaluate", .. args, "--no-progress", "--device", "cpu"]);

    static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    static double ForegroundDice(JsonElement report) =>
        report.GetProperty("strata").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "all")
              .GetProperty("dataset").GetProperty("foreground").GetProperty("dice").GetDouble();

    static List<string> ScoredIds(string evaluationFolder) =>
        File.ReadAllLines(Path.Combine(evaluationFolder, "per_image.csv")).Skip(1).Select(l => l.Split(',')[0]).Order().ToList();

    /// <summary>Writes the ground truth of <paramref name="items"/> as masks from another tool, with foreground as <paramref name="foreground"/>.</summary>
    static string TruthAsPredictions(SegmentationDataset dataset, IEnumerable<DatasetItem> items, string folder, byte foreground = 1)
    {
        Directory.CreateDirectory(folder);
        foreach (var item in items)
        {
            var (mask, height, width) = dataset.LoadMask(item);
            ImageWriter.WriteMask(Path.Combine(folder, item.Case.Id + ".png"), mask!.Select(v => v == 0 ? (byte)0 : foreground).ToArray(), height, width);
        }
        return folder;
    }

    [Fact]
    public void Volume_predictions_are_scored_voxel_by_voxel_against_the_label_volumes()
    {
        using var temp = new TempFolder();
        const int nx = 6, ny = 5, nz = 3;
        string data = temp.File("volumes/dataset.json");
        TestFiles.Json(data, """{ "channel_names": { "0": "CT" }, "labels": { "background": 0, "lesion": 1 }, "file_ending": ".nii.gz" }""");
        data = Path.GetDirectoryName(data)!;
        // Lesion of 8 voxels in slice 1: rows 1-2, columns xFrom..xFrom+3.
        static byte[] Lesion(int xFrom)
        {
            var labels = new byte[nx * ny * nz];
            for (int y = 1; y <= 2; y++)
                for (int x = xFrom; x < xFrom + 4; x++) labels[x + nx * (y + ny * 1)] = 1;
            return labels;
        }
        foreach (var (set, id) in new[] { ("Tr", "a"), ("Ts", "b"), ("Ts", "c") })
        {
            TestFiles.Volume(Path.Combine(data, $"images{set}", $"{id}_0000.nii.gz"), TestFiles.Ramp(nx, ny, nz), nx, ny, nz);
            TestFiles.Labels(Path.Combine(data, $"labels{set}", $"{id}.nii.gz"), Lesion(1), nx, ny, nz);
        }
        string predictions = Path.Combine(temp.Path, "predictions");
        TestFiles.Labels(Path.Combine(predictions, "b.nii.gz"), Lesion(1), nx, ny, nz); // all 8 found
        TestFiles.Labels(Path.Combine(predictions, "c.nii.gz"), Lesion(2), nx, ny, nz); // shifted one column: 6 found, 2 missed, 2 false

        var run = Evaluate("--predictions", predictions, "--data", data, "--json", "--out", Path.Combine(temp.Path, "scores"));
        Assert.True(run.Code == 0, run.Err);
        var report = Json(run.Out);
        Assert.Equal(2 * nz, report.GetProperty("imageCount").GetInt32());
        // Dice = 2 TP / (2 TP + FP + FN) = 2 * 14 / (28 + 2 + 2).
        Assert.Equal(28.0 / 32, ForegroundDice(report), 1e-9);
    }

    [Fact]
    public void Masks_saved_as_0_and_255_need_binarize()
    {
        using var temp = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(temp.Path, "data"), train: 2, test: 3);
        var dataset = SegmentationDataset.Open(data);
        string predictions = TruthAsPredictions(dataset, dataset.Items(dataset.TestCases), Path.Combine(temp.Path, "predictions"), foreground: 255);

        var plain = Evaluate("--predictions", predictions, "--data", data, "--json", "--out", Path.Combine(temp.Path, "plain"));
        Assert.Equal(1, plain.Code);
        Assert.StartsWith($"error: {Path.Combine(predictions, "spot_002.png")}: the prediction holds the value 255", plain.Err);
        Assert.Contains("add --binarize", plain.Err);

        var binarised = Evaluate("--predictions", predictions, "--data", data, "--binarize", "--json", "--out", Path.Combine(temp.Path, "binarised"));
        Assert.True(binarised.Code == 0, binarised.Err);
        Assert.Equal(3, Json(binarised.Out).GetProperty("imageCount").GetInt32());
        Assert.Equal(1.0, ForegroundDice(Json(binarised.Out)), 1e-12);
    }

    [Fact]
    public void Subset_and_fold_choose_the_cases_scored()
    {
        using var temp = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(temp.Path, "data"), train: 9, test: 2);
        var folds = HandMadeFolds.Write(data);
        var dataset = SegmentationDataset.Open(data);
        string predictions = TruthAsPredictions(dataset, dataset.Items(dataset.TrainCases.Concat(dataset.TestCases).ToList()), Path.Combine(temp.Path, "predictions"));

        foreach (var (subset, fold, expected) in new[]
                 {
                     ("val", 2, folds[2].Val), ("val", 1, folds[1].Val), ("train", 0, folds[0].Train), ("test", 0, ["spot_009", "spot_010"]),
                 })
        {
            string scores = Path.Combine(temp.Path, $"{subset}{fold}");
            var run = Evaluate("--predictions", predictions, "--data", data, "--subset", subset, "--fold", fold.ToString(), "--out", scores);
            Assert.True(run.Code == 0, run.Err);
            Assert.Equal(expected.Order(), ScoredIds(scores));
        }
    }

    [Fact]
    public void A_run_is_scored_with_its_best_or_last_checkpoint_on_its_own_validation_fold()
    {
        using var temp = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(temp.Path, "data"), train: 9, test: 2);
        var folds = HandMadeFolds.Write(data);
        var run = new RunFolder(Path.Combine(temp.Path, "run"));
        Directory.CreateDirectory(run.CheckpointFolder);
        new TrainConfig
        {
            Data = data,
            Training = new TrainingOptions { Model = "unet", ModelOptions = new() { ["base-width"] = "4" }, Folds = 3, Fold = 2, Augmentation = AugmentationOptions.Default with { CropSize = 32 } },
        }.Write(run.Config);
        SaveCheckpoint(run.BestCheckpoint, channels: 1, classes: 2, epoch: 1);
        SaveCheckpoint(run.LastCheckpoint, channels: 1, classes: 2, epoch: 2);

        var best = Evaluate("--run", run.Folder, "--subset", "val");
        Assert.True(best.Code == 0, best.Err);
        Assert.Contains("unet (epoch 1) on val", File.ReadAllText(Path.Combine(run.Folder, "evaluation-val-best", "metrics.md")));
        // The run trained on fold 2, so its validation cases are fold 2's.
        Assert.Equal(folds[2].Val.Order(), ScoredIds(Path.Combine(run.Folder, "evaluation-val-best")));

        var last = Evaluate("--run", run.Folder, "--subset", "val", "--which", "last");
        Assert.True(last.Code == 0, last.Err);
        Assert.Contains("unet (epoch 2) on val", File.ReadAllText(Path.Combine(run.Folder, "evaluation-val-last", "metrics.md")));

        var otherFold = Evaluate("--run", run.Folder, "--subset", "val", "--fold", "0", "--out", Path.Combine(temp.Path, "fold0"));
        Assert.True(otherFold.Code == 0, otherFold.Err);
        Assert.Equal(folds[0].Val, ScoredIds(Path.Combine(temp.Path, "fold0")));
    }

    [Theory]
    [InlineData(3, 2, "the model takes 3 channel(s), the dataset")]
    [InlineData(1, 3, "the model predicts 3 classes (background, class1, class2), the dataset has 2 (background, spot)")]
    public void A_checkpoint_that_does_not_fit_the_dataset_is_refused_naming_both(int channels, int classes, string message)
    {
        using var temp = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(temp.Path, "data"), train: 2, test: 1);
        string checkpoint = Path.Combine(temp.Path, "model.ckpt");
        SaveCheckpoint(checkpoint, channels, classes, epoch: 1);

        var run = Evaluate("--checkpoint", checkpoint, "--data", data);
        Assert.Equal(1, run.Code);
        Assert.StartsWith($"error: {checkpoint}: {message}", run.Err);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "model-evaluation-test")));
    }

    static void SaveCheckpoint(string path, int channels, int classes, int epoch)
    {
        using var model = ModelRegistry.Create("unet", channels, classes, ModelOptions.Parse(["base-width=4"]));
        Checkpoint.Save(path, model, new CheckpointInfo
        {
            Model = "unet", ModelOptions = new() { ["base-width"] = "4" }, InChannels = channels, NumClasses = classes,
            ClassNames = ["background", .. Enumerable.Range(1, classes - 1).Select(c => classes == 2 ? "spot" : $"class{c}")],
            LabelValues = Enumerable.Range(0, classes).ToList(), WindowSize = 32, Epoch = epoch,
        });
    }
}
