using System.Diagnostics;
using SoSeg.Checkpoints;
using SoSeg.Tests.Cli;
using SoSeg.Tests.TestData;
using Xunit.Abstractions;

namespace SoSeg.Tests.Comparison;

/// <summary>`soseg compare --parallel N` and the demo's side-by-side training: cells in their own processes.</summary>
public sealed class CellProcessesTests(ITestOutputHelper output)
{
    (int Code, string Out) Run(params string[] args) => CliHarness.RunSosegProcess(output, TimeSpan.FromSeconds(240), args);

    static string Tables(string report) => CliHarness.ComparisonTables(report);

    static IEnumerable<string> Epochs(string report, string model, int seed) =>
        EpochRecord.ReadCsv(Path.Combine(report, "runs", model, $"seed{seed}", "metrics.csv"))
            .Select(r => $"{r.Epoch} {r.TrainLoss:R} {string.Join(" ", r.Validation.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value:R}"))}");

    [Fact]
    public void Cells_side_by_side_give_the_figures_of_the_same_cells_one_after_another_at_one_thread()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 4, test: 2);
        string[] grid = ["--data", data, "--models", "unet,unetpp", "--seeds", "2", "--window", "64", "--model-option", "unet:base-width=4", "--model-option", "unetpp:base-width=4",
                         "--epochs", "2", "--batch", "2", "--crop", "32", "--lr", "3e-3", "--min-lr", "1e-4", "--no-progress", "--device", "cpu"];
        string sideBySide = Path.Combine(folder.Path, "side-by-side"), inTurn = Path.Combine(folder.Path, "in-turn");

        var sequential = Run(["compare", .. grid, "--out", inTurn, "--threads", "1"]);
        Assert.True(sequential.Code == 0, sequential.Out);
        var parallel = Run(["compare", .. grid, "--out", sideBySide, "--parallel", "2"]);
        Assert.True(parallel.Code == 0, parallel.Out);
        Assert.Contains("training 4 cell(s), 2 at a time, each in its own process with", parallel.Out);
        // Each cell's output is shown behind its name and kept in its log.
        Assert.Contains("[unet seed 1] training unet (", parallel.Out);
        Assert.Contains("training unetpp (", File.ReadAllText(Path.Combine(sideBySide, "cells", "cell-2.log")));
        Assert.Contains("== unetpp seed 1: finished run reused", parallel.Out);

        Assert.Contains("| unetpp |", Tables(inTurn));
        Assert.Equal(Tables(inTurn), Tables(sideBySide));
        foreach (var model in new[] { "unet", "unetpp" })
            foreach (var seed in new[] { 0, 1 })
                Assert.Equal(Epochs(inTurn, model, seed), Epochs(sideBySide, model, seed));

        // A second call finds every cell finished and starts no process.
        var again = Run(["compare", .. grid, "--out", sideBySide, "--parallel", "2"]);
        Assert.True(again.Code == 0, again.Out);
        Assert.DoesNotContain("at a time", again.Out);
        Assert.Equal(Tables(inTurn), Tables(sideBySide));
    }

    [Fact]
    public void The_demo_trains_its_two_models_side_by_side_with_parallel_2()
    {
        using var folder = new TempFolder();
        string output = Path.Combine(folder.Path, "demo");
        var demo = CliHarness.RunSoseg("demo", "--out", output, "--frames", "5", "--epochs", "1", "--steps-per-epoch", "1", "--crop", "64",
                                       "--parallel", "2", "--precision", "bf16", "--no-progress", "--device", "cpu");
        Assert.True(demo.Code == 0, demo.Err + demo.Out);
        Assert.Contains("training 2 cell(s), 2 at a time", demo.Out);
        Assert.Contains("(crop 64, batch 4, bf16,", demo.Out); // --precision reaches every cell
        string report = Path.Combine(output, "report");
        foreach (var (model, cell) in new[] { ("sosegformer-s", 0), ("unet", 1) })
        {
            Assert.Contains($"[{model} seed 0] training {model} (", demo.Out);
            Assert.Contains($"training {model} (", File.ReadAllText(Path.Combine(report, "cells", $"cell-{cell}.log")));
            Assert.Contains($"== {model} seed 0: finished run reused", demo.Out);
            Assert.Equal(SoSeg.Runtime.Precision.Bf16, SoSeg.App.Training.TrainConfig.Read(Path.Combine(report, "runs", model, "seed0", "config.json")).Training.Precision);
        }
        Assert.Contains("| sosegformer-s |", File.ReadAllText(Path.Combine(report, "comparison.md")));
        Assert.True(File.Exists(Path.Combine(report, "figure.png")));
    }

    [Theory]
    [InlineData("0", "", "--parallel must be at least 1 (got 0).")]
    [InlineData("2", "--executor=slurm", "--parallel needs --executor local")]
    public void Parallel_is_checked_before_any_work(string parallel, string extra, string message)
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 4, test: 2);
        string report = Path.Combine(folder.Path, "report");
        string[] args = ["compare", "--data", data, "--models", "unet", "--out", report, "--parallel", parallel, "--no-progress", "--device", "cpu"];
        var result = CliHarness.RunSoseg(extra.Length > 0 ? [.. args, extra] : args);
        Assert.NotEqual(0, result.Code);
        Assert.Contains(message, result.Err + result.Out);
        Assert.False(Directory.Exists(report));
    }
}
