using System.Text.Json;
using SoSeg.Cli;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Cli;

/// <summary>The user's path through the CLI on a tiny dataset: train, evaluate, predict, compare.</summary>
public class WorkflowCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.RunSoseg(args);

    static readonly string[] TinyRecipe =
        ["--epochs", "2", "--batch", "2", "--crop", "32", "--lr", "3e-3", "--min-lr", "1e-4", "--no-progress", "--device", "cpu"];

    [Fact]
    public void Train_then_evaluate_then_predict()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 6, test: 2);
        string run = Path.Combine(folder.Path, "run");

        var train = Run(["train", "--data", data, "--model", "unet", "--model-option", "base-width=4", "--out", run, "--val-window", "64", .. TinyRecipe]);
        Assert.True(train.Code == 0, train.Err + train.Out);
        Assert.Contains("epoch 2/2", train.Out);
        Assert.Contains("best val_fg_dice_per_image", train.Out);

        var evaluate = Run("evaluate", "--run", run, "--json", "--no-progress", "--device", "cpu");
        Assert.True(evaluate.Code == 0, evaluate.Err);
        using (var json = JsonDocument.Parse(evaluate.Out))
            Assert.Equal(2, json.RootElement.GetProperty("imageCount").GetInt32());
        Assert.True(File.Exists(Path.Combine(run, "evaluation-test-best", "per_image.csv")));

        string predictions = Path.Combine(folder.Path, "predictions");
        // A run folder stands for its best checkpoint.
        var predict = Run("predict", "--checkpoint", run, "--input", Path.Combine(data, "imagesTs"),
                          "--out", predictions, "--overlays", "--no-progress", "--device", "cpu");
        Assert.True(predict.Code == 0, predict.Err);
        Assert.Contains("2 prediction(s)", predict.Out);

        // The masks predict wrote score the same as the run's own evaluation.
        var fromFolder = Run("evaluate", "--predictions", predictions, "--data", data, "--json", "--no-progress", "--device", "cpu");
        Assert.True(fromFolder.Code == 0, fromFolder.Err);
        using var a = JsonDocument.Parse(evaluate.Out);
        using var b = JsonDocument.Parse(fromFolder.Out);
        double Dice(JsonDocument d) => d.RootElement.GetProperty("strata")[2].GetProperty("dataset").GetProperty("weighted").GetProperty("dice").GetDouble();
        Assert.Equal(Dice(a), Dice(b), 10);

        var again = Run(["train", "--data", data, "--model", "unet", "--model-option", "base-width=4", "--out", run, .. TinyRecipe]);
        Assert.Equal(1, again.Code);
        Assert.Contains("--resume", again.Err);
        var finished = Run("train", "--resume", run, "--no-progress", "--device", "cpu");
        Assert.Equal(0, finished.Code);
        Assert.Contains("all 2 epochs are done", finished.Out);
    }

    [Fact]
    public void Compare_trains_each_model_and_seed_writes_tables_and_a_figure_and_reuses_finished_runs()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 4, test: 2);
        string report = Path.Combine(folder.Path, "report");
        string[] args = ["compare", "--data", data, "--models", "unet,unetpp", "--seeds", "2", "--out", report, "--window", "64",
                         "--model-option", "unet:base-width=4", "--model-option", "unetpp:base-width=4", .. TinyRecipe];

        var first = Run(args);
        Assert.True(first.Code == 0, first.Err + first.Out);
        foreach (var model in new[] { "unet", "unetpp" })
            foreach (var seed in new[] { 0, 1 })
                Assert.True(File.Exists(Path.Combine(report, "runs", model, $"seed{seed}", "checkpoints", "last.ckpt")));
        string markdown = File.ReadAllText(Path.Combine(report, "comparison.md"));
        Assert.Contains("| unet |", markdown);
        Assert.Contains("| unetpp |", markdown);
        Assert.Contains(" ± ", markdown);
        Assert.Contains("mDice ultra small", markdown);
        string html = File.ReadAllText(Path.Combine(report, "comparison.html"));
        Assert.Contains("class=\"best\"", html);
        Assert.Contains("data:image/png;base64,", html);
        Assert.True(File.Exists(Path.Combine(report, "figure.png")));
        Assert.Contains("### Missed ultra-small objects (first seed)", markdown);
        Assert.Contains("<h3>Missed ultra-small objects (first seed)</h3>", html);
        // Two test images, each a full row and a row zoomed on its smallest object: 28 title + 4 x (256 + 8) + 8 + 36 legend.
        Assert.Equal(1128, SkiaSharp.SKBitmap.DecodeBounds(Path.Combine(report, "figure.png")).Height);

        var second = Run(args);
        Assert.True(second.Code == 0, second.Err);
        Assert.Contains("finished run reused", second.Out);
        Assert.DoesNotContain("training", second.Out.Split('\n').Where(l => l.StartsWith("== ")).Aggregate("", (x, y) => x + y));

        var badOption = Run("compare", "--data", data, "--models", "unet", "--out", Path.Combine(folder.Path, "r2"), "--model-option", "pranet:channels=8", "--no-progress", "--device", "cpu");
        Assert.Equal(1, badOption.Code);
        Assert.Contains("not in --models", badOption.Err);
    }
}
