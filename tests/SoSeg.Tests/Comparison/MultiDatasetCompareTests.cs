using SoSeg.Tests.Cli;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Comparison;

/// <summary>`soseg compare --data A,B` (one grid, one set of tables per dataset) and `--collect` on the local executor.</summary>
public class MultiDatasetCompareTests
{
    [Fact]
    public void Two_datasets_get_their_own_tables_and_collect_rebuilds_them()
    {
        using var folder = new TempFolder();
        string spots = TinySpotDataset.Write(Path.Combine(folder.Path, "Spots"), train: 4, test: 2);
        string dots = TinySpotDataset.Write(Path.Combine(folder.Path, "Dots"), train: 4, test: 2, seed: 9);
        string report = Path.Combine(folder.Path, "report");
        string[] grid = ["compare", "--data", $"{spots},{dots}", "--models", "unet", "--seeds", "1", "--out", report,
            "--model-option", "base-width=4", "--epochs", "1", "--batch", "2", "--crop", "32", "--window", "64", "--figure-images", "1",
            "--no-progress", "--device", "cpu"];
        // --list-cells: grid.json and the list of cells, nothing trained.
        var plan = CliHarness.RunSoseg([.. grid, "--list-cells"]);
        Assert.True(plan.Code == 0, plan.Err + plan.Out);
        Assert.Contains("2 cell(s)", plan.Out);
        Assert.Contains($"   1  to do  Dots: unet seed 0  {Path.Combine(report, "Dots", "runs", "unet", "seed0")}", plan.Out);
        Assert.True(File.Exists(Path.Combine(report, "grid.json")));
        Assert.False(Directory.Exists(Path.Combine(report, "Dots", "runs")));

        var run = CliHarness.RunSoseg(grid);
        Assert.True(run.Code == 0, run.Err + run.Out);
        Assert.Contains("   0  done   Spots: unet seed 0", CliHarness.RunSoseg([.. grid, "--list-cells"]).Out);
        foreach (var name in new[] { "Spots", "Dots" })
        {
            Assert.True(File.Exists(Path.Combine(report, name, "runs", "unet", "seed0", "evaluation-test-best", "metrics.json")), name);
            Assert.Contains("| unet |", File.ReadAllText(Path.Combine(report, name, "comparison.md")));
        }
        string index = File.ReadAllText(Path.Combine(report, "comparison.md"));
        Assert.Contains("# Comparison on 2 datasets", index);
        Assert.Equal(2, index.Split("## Comparison on TinySpots").Length - 1);
        Assert.Contains("](Spots/figure.png)", index);
        Assert.Contains("href=\"Dots/comparison.html\"", File.ReadAllText(Path.Combine(report, "comparison.html")));

        File.Delete(Path.Combine(report, "Dots", "comparison.md"));
        var collect = CliHarness.RunSoseg("compare", "--collect", report, "--no-progress", "--device", "cpu");
        Assert.True(collect.Code == 0, collect.Err + collect.Out);
        Assert.Contains("finished run reused", collect.Out);
        Assert.DoesNotContain("Missing cells", File.ReadAllText(Path.Combine(report, "Dots", "comparison.md")));

        var mixed = CliHarness.RunSoseg("compare", "--collect", report, "--models", "unet", "--no-progress");
        Assert.Equal(1, mixed.Code);
        Assert.Contains("leave out --data, --models and --out", mixed.Err);

        var retryLocal = CliHarness.RunSoseg("compare", "--data", spots, "--models", "unet", "--seeds", "1", "--out", Path.Combine(folder.Path, "r2"),
            "--retry-failed", "--no-progress", "--device", "cpu");
        Assert.Equal(1, retryLocal.Code);
        Assert.Contains("--retry-failed needs --executor slurm", retryLocal.Err);

        var slurmOption = CliHarness.RunSoseg("compare", "--data", spots, "--models", "unet", "--out", Path.Combine(folder.Path, "r4"),
            "--partition", "gpu", "--no-progress", "--device", "cpu");
        Assert.Equal(1, slurmOption.Code);
        Assert.Contains("--partition needs --executor slurm", slurmOption.Err);
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "r4")));

        // The Slurm tasks' device may be one this machine lacks: submitting (here: planning) needs no GPU.
        var gpuPlan = CliHarness.RunSoseg("compare", "--data", spots, "--models", "unet", "--seeds", "1", "--out", Path.Combine(folder.Path, "r5"),
            "--executor", "slurm", "--gpus-per-task", "1", "--device", "cuda", "--list-cells", "--no-progress");
        Assert.True(gpuPlan.Code == 0, gpuPlan.Err + gpuPlan.Out);
        Assert.Contains("--cell I --device cuda:0`", gpuPlan.Out);

        var sameName = CliHarness.RunSoseg("compare", "--data", $"{spots},{Path.Combine(folder.Path, "other", "Spots")}", "--models", "unet",
            "--out", Path.Combine(folder.Path, "r3"), "--no-progress", "--device", "cpu");
        Assert.Equal(1, sameName.Code);
        Assert.Contains("two dataset folders called Spots", sameName.Err);
    }
}
