using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using SoSeg.Tests.Cli;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using Xunit.Abstractions;
using SoSeg.Checkpoints;

namespace SoSeg.Tests.Comparison;

/// <summary>
/// `soseg compare --executor slurm` on a real one-node Slurm cluster: a 2-model x 2-seed grid as a job array,
/// one task cancelled midway with scancel, resubmitted with --retry-failed (it resumes), and a report equal
/// to the local executor's for the same seeds and thread count.
/// </summary>
public sealed class SlurmGridTests(ITestOutputHelper output)
{
    (int Code, string Out) Run(params string[] args) => CliHarness.RunSosegProcess(output, TimeSpan.FromSeconds(240), args);

    static string Tables(string report) => CliHarness.ComparisonTables(report);

    [Fact]
    public void Grid_runs_as_a_job_array_survives_scancel_and_equals_the_local_executor()
    {
        using var cluster = new LocalSlurmCluster();
        try
        {
            Check(cluster);
        }
        catch (Exception) when (Dump(cluster)) { throw; }
    }

    bool Dump(LocalSlurmCluster cluster)
    {
        output.WriteLine(cluster.Logs());
        return false;
    }

    void Check(LocalSlurmCluster cluster)
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 6, test: 2);
        string[] grid = ["--data", data, "--models", "unet,unetpp", "--seeds", "2", "--window", "64",
                         "--model-option", "unet:base-width=4", "--model-option", "unetpp:base-width=4",
                         "--epochs", "5", "--steps-per-epoch", "20", "--batch", "2", "--crop", "32", "--lr", "3e-3", "--min-lr", "1e-4",
                         "--figure-images", "0", "--no-progress", "--device", "cpu"];
        string slurmReport = Path.Combine(folder.Path, "slurm-report");

        var submit = Run(["compare", .. grid, "--out", slurmReport, "--executor", "slurm", "--cpus-per-task", "1", "--time", "10", "--no-wait"]);
        Assert.True(submit.Code == 0, submit.Out);
        string job = Regex.Match(submit.Out, @"submitted job array (\d+) \(4 cell\(s\)").Groups[1].Value;
        Assert.NotEqual("", job);

        // Cancel cell 0 (unet seed 0) once its first epoch is written: it has four more to go.
        var run0 = new RunFolder(Path.Combine(slurmReport, "runs", "unet", "seed0"));
        LocalSlurmCluster.WaitFor(() => File.Exists(run0.MetricsCsv), TimeSpan.FromSeconds(120), "cell 0's first epoch");
        output.WriteLine("$ squeue --array\n" + cluster.Command("squeue", "--array", "--format=%.10i %.9P %.30j %.8T %.6M %R").Output);
        Assert.Equal(0, cluster.Command("scancel", $"{job}_0").Code);
        string status0 = Path.Combine(slurmReport, "cells", "cell-0.json");
        LocalSlurmCluster.WaitFor(() => File.Exists(status0) && File.ReadAllText(status0).Contains("\"interrupted\"")
                                        && !cluster.Command("squeue", "--noheader", "--array", "--format=%i").Output.Contains($"{job}_0"),
            TimeSpan.FromSeconds(60), "cell 0 to stop on SIGTERM");
        int epochsWhenCancelled = Checkpoint.ReadInfo(run0.LastCheckpoint).Epoch;
        Assert.InRange(epochsWhenCancelled, 1, 4);
        string log0 = Directory.GetFiles(Path.Combine(slurmReport, "slurm", "logs"), $"cell-0-{job}.out").Single();
        Assert.Contains("SIGTERM received", File.ReadAllText(log0));

        // Whatever has finished makes a report; the cancelled cell is named as missing.
        var collect = Run("compare", "--collect", slurmReport, "--no-progress", "--device", "cpu");
        Assert.True(collect.Code == 0, collect.Out);
        Assert.Contains("1 failed", collect.Out);
        Assert.Matches(@"\*\*Missing cells\*\*[^\n]*unet seed 0", File.ReadAllText(Path.Combine(slurmReport, "comparison.md")));

        // Only the failed cell is resubmitted; it resumes from its checkpoint and the grid completes.
        var retry = Run("compare", "--collect", slurmReport, "--retry-failed", "--poll", "1", "--no-progress", "--device", "cpu");
        Assert.True(retry.Code == 0, retry.Out);
        Assert.Matches(@"submitted job array \d+ \(1 cell\(s\): 0 unet seed 0\)", retry.Out);
        Assert.Contains("0 pending, 0 running, 4 done, 0 failed (of 4)", retry.Out);
        string retryLog = Directory.GetFiles(Path.Combine(slurmReport, "slurm", "logs"), "cell-0-*.out").Single(f => f != log0);
        Assert.Contains($"resuming {run0.Folder} after epoch {epochsWhenCancelled}", File.ReadAllText(retryLog));
        Assert.DoesNotContain("Missing cells", File.ReadAllText(Path.Combine(slurmReport, "comparison.md")));
        using (var cell = JsonDocument.Parse(File.ReadAllText(status0))) Assert.Equal("done", cell.RootElement.GetProperty("state").GetString());

        // The local executor, same grid and seeds, one libtorch thread as each Slurm task had: the same tables.
        string localReport = Path.Combine(folder.Path, "local-report");
        var local = Run(["compare", .. grid, "--out", localReport, "--threads", "1"]);
        Assert.True(local.Code == 0, local.Out);
        Assert.Contains("| unetpp |", Tables(localReport));
        Assert.Equal(Tables(localReport), Tables(slurmReport));
        // Every epoch's training loss and validation scores too, the resumed cell included.
        foreach (var model in new[] { "unet", "unetpp" })
            foreach (var seed in new[] { 0, 1 })
            {
                static IEnumerable<string> Epochs(string report, string model, int seed) =>
                    EpochRecord.ReadCsv(Path.Combine(report, "runs", model, $"seed{seed}", "metrics.csv"))
                        .Select(r => $"{r.Epoch} {r.TrainLoss:R} {string.Join(" ", r.Validation.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value:R}"))}");
                Assert.Equal(Epochs(localReport, model, seed), Epochs(slurmReport, model, seed));
                Assert.Equal(5, Epochs(slurmReport, model, seed).Count());
            }
        output.WriteLine(Tables(slurmReport));
    }
}
