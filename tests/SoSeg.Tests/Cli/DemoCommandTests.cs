using SoSeg.Tests.TestData;
using SoSeg.Training;
using SoSeg.Checkpoints;

namespace SoSeg.Tests.Cli;

/// <summary>`soseg demo`, the README's main job, end to end at a reduced size: generate, train both models, evaluate, report.</summary>
public class DemoCommandTests
{
    [Fact]
    public void A_small_demo_generates_data_trains_both_models_and_writes_the_report()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "demo");
        var demo = CliHarness.RunSoseg("demo", "--out", output, "--frames", "5", "--epochs", "1", "--steps-per-epoch", "1", "--crop", "64",
                                       "--no-progress", "--device", "cpu");
        Assert.True(demo.Code == 0, demo.Err + demo.Out);

        Assert.Contains("generating 5 synthetic sperm frames", demo.Out);
        string data = Path.Combine(output, "data");
        Assert.Equal(5, Directory.GetFiles(Path.Combine(data, "imagesTr")).Length + Directory.GetFiles(Path.Combine(data, "imagesTs")).Length);
        Assert.Contains("(crop 64, batch 4, lr", demo.Out);
        // The CPU demo's loss, oversampling and selection come from a plan of the generated frames (all objects ultra-small).
        Assert.Contains($"recipe: planned from the data ({Path.Combine(output, "plan.json")}): loss dice-ce, 33% of crops on objects, scale mode image, " +
                        "best checkpoint by fg-dice+recall;", demo.Out.Replace(" %", "%"));
        Assert.True(File.Exists(Path.Combine(output, "plan.json")));

        string report = Path.Combine(output, "report");
        foreach (var model in new[] { "sosegformer-s", "unet" })
        {
            Assert.Contains($"training {model} (", demo.Out);
            var run = new RunFolder(Path.Combine(report, "runs", model, "seed0"));
            Assert.True(File.Exists(run.LastCheckpoint), $"{run.LastCheckpoint} missing");
            var used = SoSeg.App.Training.TrainConfig.Read(Path.Combine(run.Folder, "config.json")).Training;
            Assert.Equal(("dice-ce", 1.0 / 3, "fg-dice+recall", 64, 1), (used.Loss.ToString(), used.Augmentation.OversampleForeground, used.SelectBy, used.Augmentation.CropSize, used.Epochs));
            var epochs = EpochRecord.ReadCsv(run.MetricsCsv);
            Assert.Equal([(1, 1L)], epochs.Select(e => (e.Epoch, e.Steps)));
            Assert.Contains("mDice", epochs[0].Validation.Keys);
        }
        string markdown = File.ReadAllText(Path.Combine(report, "comparison.md"));
        Assert.Contains("| sosegformer-s |", markdown);
        Assert.Contains("| unet |", markdown);
        Assert.Contains("data:image/png;base64,", File.ReadAllText(Path.Combine(report, "comparison.html")));
        Assert.True(File.Exists(Path.Combine(report, "figure.png")));
        Assert.Contains(Path.Combine(report, "comparison.html"), demo.Out);
    }

    [Fact]
    public void Too_few_frames_is_a_one_line_error_before_anything_is_written()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "demo");
        var demo = CliHarness.RunSoseg("demo", "--out", output, "--frames", "3", "--no-progress", "--device", "cpu");
        Assert.Equal(1, demo.Code);
        Assert.StartsWith("error: --frames must be at least 4", demo.Err);
        Assert.False(Directory.Exists(output));
    }
}
