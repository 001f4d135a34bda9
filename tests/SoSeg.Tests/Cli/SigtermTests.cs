using System.Diagnostics;
using System.Runtime.InteropServices;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using SoSeg.Checkpoints;

namespace SoSeg.Tests.Cli;

/// <summary>
/// SIGTERM (how Slurm, Kubernetes and systemd stop a process before a time limit) stops training like Ctrl+C,
/// keeping the last finished epoch to resume from (resuming after scancel: SlurmGridTests).
/// </summary>
public class SigtermTests
{
    [DllImport("libc", SetLastError = true)] static extern int kill(int pid, int signal);

    static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "soseg")) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    [Fact]
    public void Train_stops_on_sigterm_keeping_its_last_finished_epoch()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 4, test: 1);
        var run = new RunFolder(Path.Combine(folder.Path, "run"));
        using var train = Start("train", "--data", data, "--model", "unet", "--model-option", "base-width=4", "--out", run.Folder,
            "--epochs", "200", "--steps-per-epoch", "4", "--batch", "2", "--crop", "32", "--no-progress", "--device", "cpu", "--threads", "1");
        var output = train.StandardOutput.ReadToEndAsync();
        var error = train.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!File.Exists(run.LastCheckpoint) && !train.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(100);
        Assert.True(File.Exists(run.LastCheckpoint), "no epoch finished in 60 s: " + (train.HasExited ? output.Result + error.Result : ""));

        Assert.Equal(0, kill(train.Id, 15));
        Assert.True(train.WaitForExit(TimeSpan.FromSeconds(60)), "still training 60 s after SIGTERM");
        Assert.True(train.ExitCode == 130, $"exit code {train.ExitCode}: {output.Result}{error.Result}");
        Assert.Contains("SIGTERM received", output.Result);
        Assert.Contains($"continue with `soseg train --resume {run.Folder}`", output.Result);
        int epoch = Checkpoint.ReadInfo(run.LastCheckpoint).Epoch;
        Assert.InRange(epoch, 1, 199);

    }
}
