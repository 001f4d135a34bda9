using System.Diagnostics;
using System.Runtime.InteropServices;
using SoSeg.App.Comparison.Grid;
using SoSeg.IO;

namespace SoSeg.App.Comparison.Executors;

/// <summary>
/// Trains a grid's unfinished cells several at a time on this machine's CPUs, each in its own soseg process
/// (`soseg compare-cell`, the command a Slurm task runs) with an equal share of the CPUs as libtorch threads.
/// Separate processes because layers draw their initial weights and dropout from libtorch's one global generator:
/// two trainings in one process would not repeat. Small networks use a second thread only partly, so two one-thread
/// trainings side by side finish sooner (the demo: 17%) than the same two one after another with two threads each. Each cell's
/// output goes to REPORT/cells/cell-N.log and, behind the cell's name, to this command's output. The comparison then finds the runs finished and only reports them.
/// </summary>
/// <param name="sosegCommand">How to start soseg: the program and any leading arguments (e.g. dotnet soseg.dll).</param>
public sealed class CellProcesses(ComparisonGrid grid, int parallel, int cpus, IReadOnlyList<string> sosegCommand, TextWriter log)
{
    /// <summary>libtorch threads of each process: the CPUs shared equally, at least one.</summary>
    public int ThreadsPerCell => Math.Max(1, cpus / parallel);

    /// <summary>The log file of one cell's process.</summary>
    public string LogOf(GridCell cell) => Path.Combine(grid.Report, "cells", $"cell-{cell.Index}.log");

    /// <summary>The arguments (after the soseg command) that train one cell.</summary>
    public IReadOnlyList<string> Arguments(GridCell cell) =>
        ["compare-cell", "--grid", ComparisonGrid.PathIn(grid.Report), "--cell", cell.Index.ToString(System.Globalization.CultureInfo.InvariantCulture),
         "--device", "cpu", "--threads", ThreadsPerCell.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-progress",
         .. grid.AllowTf32 ? Array.Empty<string>() : ["--no-tf32"]];

    /// <summary>
    /// Runs every unfinished cell, at most <c>parallel</c> at once, and waits for all. A cancel sends SIGTERM to the
    /// running ones (each stops after its current step, keeping its last finished epoch) and throws
    /// <see cref="OperationCanceledException"/>; cells that fail are named with their logs in a <see cref="SoSegException"/>.
    /// </summary>
    public void Run(CancellationToken cancel)
    {
        if (parallel < 1) throw new ArgumentException($"Cells at a time must be at least 1 (got {parallel}).");
        var queue = new Queue<GridCell>(grid.Cells.Where(c => !ModelComparison.IsFinished(c.Dataset.Report, c.Model, c.Seed, c.Dataset.Options.Training.Epochs)));
        if (queue.Count == 0) return;
        log.WriteLine($"training {queue.Count} cell(s), {Math.Min(parallel, queue.Count)} at a time, each in its own process with {ThreadsPerCell} libtorch thread(s); their output is shown behind their names and kept in {Path.Combine(grid.Report, "cells")}");
        var running = new List<(GridCell Cell, Process Process, TextWriter CellLog, Stopwatch Clock)>();
        var failed = new List<string>();
        try
        {
            while (queue.Count > 0 || running.Count > 0)
            {
                while (queue.Count > 0 && running.Count < parallel && !cancel.IsCancellationRequested)
                {
                    var cell = queue.Dequeue();
                    var (process, cellLog) = Start(cell);
                    running.Add((cell, process, cellLog, Stopwatch.StartNew()));
                    lock (log) log.WriteLine($"== {cell.Name}: training in process {running[^1].Process.Id}");
                }
                if (cancel.IsCancellationRequested) { Terminate(running); break; }
                int finished = WaitForAny(running, cancel);
                if (finished < 0) continue;
                var (done, ended, endedLog, clock) = running[finished];
                running.RemoveAt(finished);
                if (ended.ExitCode == 0) { lock (log) log.WriteLine($"== {done.Name}: done in {clock.Elapsed:m\\:ss}"); }
                else failed.Add($"{done.Name} (exit code {ended.ExitCode}; see {LogOf(done)})");
                ended.Dispose();
                endedLog.Dispose();
            }
        }
        finally
        {
            foreach (var (_, process, cellLog, _) in running) { process.WaitForExit(); process.Dispose(); cellLog.Dispose(); }
        }
        if (cancel.IsCancellationRequested) throw new OperationCanceledException("comparison interrupted; run the same command again to continue.");
        if (failed.Count > 0) throw new SoSegException($"{failed.Count} cell(s) failed: {string.Join("; ", failed)}.");
    }

    /// <summary>Starts one cell's process; its output goes to the returned log (close it once the process has ended).</summary>
    (Process Process, TextWriter CellLog) Start(GridCell cell)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LogOf(cell))!);
        var start = new ProcessStartInfo(sosegCommand[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in sosegCommand.Skip(1).Concat(Arguments(cell))) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new SoSegException($"could not start {sosegCommand[0]} for {cell.Name}.");
        // Both streams go to the cell's log as lines arrive, and to this command's output behind the cell's name.
        var writer = TextWriter.Synchronized(new StreamWriter(LogOf(cell), append: true) { AutoFlush = true });
        void Line(string? line)
        {
            if (line is null) return;
            writer.WriteLine(line);
            lock (log) log.WriteLine($"[{cell.Name}] {line}");
        }
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, writer);
    }

    /// <summary>Index of a process that has ended, or -1 when the cancel came first.</summary>
    static int WaitForAny(List<(GridCell Cell, Process Process, TextWriter CellLog, Stopwatch Clock)> running, CancellationToken cancel)
    {
        while (true)
        {
            for (int i = 0; i < running.Count; i++)
                if (running[i].Process.HasExited) { running[i].Process.WaitForExit(); return i; }
            if (cancel.WaitHandle.WaitOne(200)) return -1;
        }
    }

    static void Terminate(List<(GridCell Cell, Process Process, TextWriter CellLog, Stopwatch Clock)> running)
    {
        foreach (var (_, process, _, _) in running)
            try { if (!process.HasExited) _ = Kill(process.Id, 15); }
            catch (InvalidOperationException) { }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);
}
