using System.Globalization;
using SoSeg.IO;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using SoSeg.Checkpoints;

namespace SoSeg.Tests.Training;

/// <summary>
/// Training processes killed at chosen and random moments (during checkpoint writes too), resumed, and compared with a
/// run that was never interrupted; a second writer; a full disk. Each runs the real `soseg` in its own process.
/// </summary>
public class FaultInjectionTests
{
    const int Epochs = 4;

    static string[] Recipe(int epochs = Epochs) =>
        ["--model", "unet", "--model-option", "base-width=4", "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--batch", "2",
         "--crop", "32", "--lr", "3e-3", "--min-lr", "1e-4", "--seed", "5", "--val-window", "64", "--threads", "1",
         "--no-progress", "--device", "cpu"];

    static string[] Train(string data, string run, int epochs = Epochs) => ["train", "--data", data, "--out", run, .. Recipe(epochs)];
    static string[] Resume(string run) => ["train", "--resume", run, "--threads", "1", "--no-progress", "--device", "cpu"];
    static Dictionary<string, string> Fault(string plan) => new() { [FaultPoint.Variable] = plan };

    static string[] Temporaries(string run) =>
        [.. new[] { run, Path.Combine(run, "checkpoints") }.Where(Directory.Exists)
            .SelectMany(Directory.GetFiles).Where(f => AtomicFile.IsTemporary(Path.GetFileName(f)))];

    /// <summary>metrics.csv without the columns that measure time and memory.</summary>
    static List<string> Deterministic(string metricsCsv)
    {
        var lines = File.ReadAllLines(metricsCsv);
        var header = lines[0].Split(',');
        var keep = Enumerable.Range(0, header.Length).Where(i => header[i] is not ("seconds" or "images_per_s" or "rss_mb")).ToArray();
        return lines.Select(l => string.Join(",", keep.Select(i => l.Split(',')[i]))).ToList();
    }

    [Fact]
    public void Runs_killed_mid_checkpoint_write_between_checkpoint_and_metrics_and_at_random_moments_resume_to_the_uninterrupted_result()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 6, test: 1);
        string straight = Path.Combine(folder.Path, "straight");
        string run = Path.Combine(folder.Path, "run");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reference = SosegProcess.Run(Train(data, straight));
        Assert.True(reference.ExitCode == 0, reference.Err);
        // Start-up plus four epochs; a resume after epoch 2 takes start-up plus two, so a kill before half of this lands mid-run.
        int halfRun = (int)(clock.ElapsedMilliseconds / 2);

        // Killed after epoch 2's last.ckpt was written to its temporary file, before the rename: the temporary stays behind.
        using (var killed = SosegProcess.Run(Train(data, run), Fault("before-rename:last.ckpt@2=kill")))
            Assert.NotEqual(0, killed.ExitCode);
        Assert.Equal(1, Checkpoint.ReadInfo(Path.Combine(run, "checkpoints", "last.ckpt")).Epoch);
        Assert.Single(Temporaries(run));

        // Resume removes it; killed again between last.ckpt's rename and metrics.csv's: epoch 2 is in the checkpoint only.
        using (var killed = SosegProcess.Run(Resume(run), Fault("after-rename:last.ckpt@1=kill")))
        {
            Assert.NotEqual(0, killed.ExitCode);
            Assert.Contains("removed 1 unfinished temporary file", killed.Out);
        }
        Assert.Empty(Temporaries(run));
        Assert.Equal(2, Checkpoint.ReadInfo(Path.Combine(run, "checkpoints", "last.ckpt")).Epoch);
        Assert.Equal([1], EpochRecord.ReadCsv(Path.Combine(run, "metrics.csv")).Select(r => r.Epoch));

        // The next resume restores that row from the checkpoint (killed right after rewriting metrics.csv).
        using (var killed = SosegProcess.Run(Resume(run), Fault("after-rename:metrics.csv@1=kill")))
            Assert.Contains("restoring the row(s) of epoch 2", killed.Out);
        Assert.Equal([1, 2], EpochRecord.ReadCsv(Path.Combine(run, "metrics.csv")).Select(r => r.Epoch));

        // Then kill -9 at random moments (three times at most, then one resume runs to the end).
        int seed = Environment.TickCount;
        var random = new Random(seed);
        int kills = 0;
        for (int attempt = 0; ; attempt++)
        {
            using var process = SosegProcess.Start(Resume(run));
            bool finished = attempt >= 3 || process.WaitForExit(TimeSpan.FromMilliseconds(random.Next(300, Math.Max(301, halfRun))));
            if (!finished)
            {
                process.Kill();
                kills++;
                continue;
            }
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"random kills (seed {seed}): {process.Err}");
            break;
        }
        Assert.True(kills > 0, $"seed {seed}: every resume finished before its random kill");

        Assert.Empty(Temporaries(run));
        Assert.Equal(Deterministic(Path.Combine(straight, "metrics.csv")), Deterministic(Path.Combine(run, "metrics.csv")));
        CheckpointAssert.SameWeights(Path.Combine(straight, "checkpoints", "last.ckpt"), Path.Combine(run, "checkpoints", "last.ckpt"));
        // A tiny run may never predict foreground, and then keeps no best: the resumed run must agree either way.
        string straightBest = Path.Combine(straight, "checkpoints", "best.ckpt"), runBest = Path.Combine(run, "checkpoints", "best.ckpt");
        Assert.Equal(File.Exists(straightBest), File.Exists(runBest));
        if (File.Exists(straightBest)) CheckpointAssert.SameWeights(straightBest, runBest);
    }

    [Fact]
    public void A_second_writer_is_refused_with_the_holders_pid_and_a_killed_holder_releases_the_run()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 4, test: 1);
        string run = Path.Combine(folder.Path, "run");

        using var first = SosegProcess.Start(Train(data, run, epochs: 1), Fault("run-started=pause"));
        first.WaitUntilPaused();
        using (var second = SosegProcess.Run(Train(data, run, epochs: 1)))
        {
            Assert.Equal(1, second.ExitCode);
            Assert.Contains($"PID {first.Id}", second.Err);
            Assert.Single(second.Err.Trim().Split('\n'));
        }
        using (var resume = SosegProcess.Run(Resume(run)))
        {
            Assert.Equal(1, resume.ExitCode);
            Assert.Contains($"PID {first.Id}", resume.Err);
        }

        // kill -9: the operating system drops the lock with the process, so the run can be resumed at once.
        first.Kill();
        using var after = SosegProcess.Run(Resume(run));
        Assert.True(after.ExitCode == 0, after.Err);
        Assert.Equal(1, Checkpoint.ReadInfo(Path.Combine(run, "checkpoints", "last.ckpt")).Epoch);
    }

    [Fact]
    public void A_second_comparison_into_the_same_report_folder_is_refused_with_the_holders_pid()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 4, test: 1);
        string report = Path.Combine(folder.Path, "report");
        string[] compare = ["compare", "--data", data, "--models", "unet", "--seeds", "1", "--out", report, "--model-option", "base-width=4",
                            "--epochs", "1", "--batch", "2", "--crop", "32", "--window", "64", "--threads", "1", "--no-progress", "--device", "cpu"];

        using var first = SosegProcess.Start(compare, Fault("run-started=pause"));
        first.WaitUntilPaused();
        using var second = SosegProcess.Run(compare);
        Assert.Equal(1, second.ExitCode);
        Assert.Contains($"PID {first.Id}", second.Err);
        Assert.Contains(report, second.Err);
    }

    [Fact]
    public void A_full_disk_stops_training_with_one_clear_line_and_leaves_a_run_that_resumes()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 4, test: 1);
        string copy = Path.Combine(folder.Path, "copy");
        SosegProcess full;
        if (TinyDisk.CanMount())
        {
            // A 2.5 MB tmpfs in a private mount namespace: room for the first epoch's files (last.ckpt 1.5 MB, best.ckpt 0.5 MB when the
            // epoch found foreground), not for a second copy of last.ckpt (1.5 MB).
            string mountPoint = Path.Combine(folder.Path, "disk");
            Directory.CreateDirectory(mountPoint);
            full = TinyDisk.Run(mountPoint, "2500k", Train(data, Path.Combine(mountPoint, "run"), epochs: 3), copyRunTo: copy);
        }
        else
        {
            // Without mount rights: the write of epoch 2's last.ckpt fails the way a full disk fails it.
            full = SosegProcess.Run(Train(data, copy, epochs: 3), Fault("write:last.ckpt@2=fail"));
        }
        using (full)
        {
            Assert.True(full.ExitCode == 1, full.Out + full.Err);
            string error = full.Err.Trim();
            Assert.Single(error.Split('\n'));
            Assert.StartsWith("error: ", error);
            Assert.Contains("No space left on device", error);
        }

        // Nothing half-written: the checkpoint verifies, metrics.csv agrees with it, no temporary files.
        string last = Path.Combine(copy, "checkpoints", "last.ckpt");
        int epoch = Checkpoint.ReadInfo(last).Epoch;
        Assert.InRange(epoch, 1, 2);
        Assert.Equal(Enumerable.Range(1, epoch), EpochRecord.ReadCsv(Path.Combine(copy, "metrics.csv")).Select(r => r.Epoch));
        Assert.Empty(Temporaries(copy));

        using var resumed = SosegProcess.Run(Resume(copy));
        Assert.True(resumed.ExitCode == 0, resumed.Err);
        Assert.Equal(3, Checkpoint.ReadInfo(last).Epoch);
    }
}
