using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SoSeg.App.Comparison.Grid;
using SoSeg.IO;

namespace SoSeg.App.Comparison.Executors;

/// <summary>
/// Runs a grid's cells on a Slurm cluster: each cell is one task of a job array (its array index is the cell
/// number) that runs `soseg compare-cell` on the shared filesystem, training into the run folder the local
/// executor would use, so finished cells are reused whichever executor made them. Cell states come from the
/// run folders (done), `squeue` (pending, running) and the tasks' status files (failed).
/// <code>
/// REPORT/slurm/submit-N.sbatch    the job scripts, as submitted
/// REPORT/slurm/jobs.json          job ids and the cells each one holds
/// REPORT/slurm/logs/cell-I-J.out  output of cell I in job array J
/// REPORT/cells/cell-I.json        the task's own word: running, done, failed, interrupted
/// </code>
/// </summary>
public sealed class SlurmExecutor(ComparisonGrid grid, TextWriter log)
{
    public string Folder => Path.Combine(grid.Report, "slurm");
    string JobsFile => Path.Combine(Folder, "jobs.json");
    SlurmSettings Settings => grid.Slurm ?? throw new SoSegException($"{ComparisonGrid.PathIn(grid.Report)}: the grid has no Slurm settings (it was run with --executor local).");

    /// <summary>The job name of this report's arrays (the folder name and a hash of its path: unique per report).</summary>
    public string JobName
    {
        get
        {
            string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(grid.Report)))[..8];
            string name = new(Path.GetFileName(grid.Report).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
            return $"soseg-{name}-{hash}";
        }
    }

    sealed record SubmittedJob(string Job, IReadOnlyList<int> Cells, DateTimeOffset Time);

    IReadOnlyList<SubmittedJob> Jobs() =>
        File.Exists(JobsFile) ? JsonSerializer.Deserialize<List<SubmittedJob>>(File.ReadAllText(JobsFile)) ?? [] : [];

    /// <summary>The job script for <paramref name="cells"/>: one array task per cell, `exec`ing soseg so Slurm's signals reach it.</summary>
    public string Script(IReadOnlyList<GridCell> cells)
    {
        var s = Settings;
        var text = new StringBuilder("#!/bin/bash\n");
        void Line(string option) => text.Append("#SBATCH ").Append(option).Append('\n');
        Line($"--job-name={JobName}");
        Line($"--array={string.Join(',', cells.Select(c => c.Index))}");
        Line($"--output={Path.Combine(Folder, "logs", "cell-%a-%A.out")}");
        Line($"--chdir={grid.Report}");
        // SIGTERM to the batch shell, which exec made soseg: it stops after its current step, keeping the last epoch.
        if (s.SigtermSeconds > 0) Line($"--signal=B:TERM@{s.SigtermSeconds}");
        Line("--requeue");
        if (s.Partition is not null) Line($"--partition={s.Partition}");
        if (s.CpusPerTask is { } cpus) Line($"--cpus-per-task={cpus}");
        if (s.GpusPerTask is { } gpus and > 0) Line($"--gpus-per-task={gpus}");
        if (s.Memory is not null) Line($"--mem={s.Memory}");
        if (s.TimeLimit is not null) Line($"--time={s.TimeLimit}");
        foreach (var extra in s.ExtraArguments) Line(extra);
        text.Append("# One task = one (dataset, model, seed) cell of grid.json; a requeued or resubmitted task resumes its run.\n");
        text.Append($"exec {s.SosegCommand} compare-cell --grid {Quote(ComparisonGrid.PathIn(grid.Report))} --cell \"$SLURM_ARRAY_TASK_ID\" " +
                    $"--device {Quote(grid.Device)}{(grid.AllowTf32 ? "" : " --no-tf32")} --no-progress\n");
        return text.ToString();
    }

    /// <summary><paramref name="text"/> as one word of a POSIX shell command.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''") + "'";

    /// <summary>Submits <paramref name="cells"/> as one job array; returns its job id.</summary>
    public string Submit(IReadOnlyList<GridCell> cells)
    {
        if (cells.Count == 0) throw new ArgumentException("no cells to submit.");
        Directory.CreateDirectory(Path.Combine(Folder, "logs"));
        var jobs = Jobs().ToList();
        string script = Path.Combine(Folder, $"submit-{jobs.Count + 1}.sbatch");
        AtomicFile.WriteAllText(script, Script(cells));
        var (code, output, error) = SlurmCommand.Run("sbatch", ["--parsable", script]);
        if (code != 0) throw new SoSegException($"sbatch {script} failed (exit code {code}): {error.Trim()} {output.Trim()}".Trim());
        string job = output.Trim().Split('\n')[^1].Split(';')[0].Trim();
        if (!long.TryParse(job, out _)) throw new SoSegException($"sbatch {script}: unexpected answer '{output.Trim()}' (expected a job id).");
        jobs.Add(new SubmittedJob(job, cells.Select(c => c.Index).ToList(), DateTimeOffset.UtcNow));
        AtomicFile.WriteAllText(JobsFile, JsonSerializer.Serialize(jobs, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        log.WriteLine($"submitted job array {job} ({cells.Count} cell(s): {string.Join(", ", cells.Select(c => $"{c.Index} {c.Name}"))}); script {script}, logs {Path.Combine(Folder, "logs")}");
        log.Flush();
        return job;
    }

    /// <summary>
    /// Every cell's state. Pending or running: squeue lists its array task in one of this report's jobs. Done:
    /// its run folder is finished and evaluated (whoever trained it). Failed: submitted, not listed, not done.
    /// </summary>
    public IReadOnlyDictionary<int, CellState> States()
    {
        var submitted = Jobs();
        var queue = submitted.Count == 0 ? new Dictionary<(string Job, int Cell), string>() : Queue();
        var states = new Dictionary<int, CellState>();
        foreach (var cell in grid.Cells)
        {
            var jobs = submitted.Where(j => j.Cells.Contains(cell.Index)).Select(j => j.Job).ToList();
            string? queued = jobs.Select(j => queue.GetValueOrDefault((j, cell.Index))).LastOrDefault(s => s is not null);
            // A queued task is still at work (it evaluates after training); run folders are read only for the others, once.
            states[cell.Index] =
                queued is "RUNNING" or "COMPLETING" or "CONFIGURING" or "STAGE_OUT" ? CellState.Running
                : queued is not null ? CellState.Pending
                : _done.Contains(cell.Index) || ModelComparison.IsFinished(cell.Dataset.Report, cell.Model, cell.Seed, cell.Dataset.Options.Training.Epochs) ? CellState.Done
                : jobs.Count == 0 ? CellState.NotSubmitted
                : CellState.Failed;
            if (states[cell.Index] == CellState.Done) _done.Add(cell.Index);
        }
        return states;
    }

    readonly HashSet<int> _done = [];

    /// <summary>This report's array tasks that Slurm still lists: (array job id, array index) -> state.</summary>
    Dictionary<(string Job, int Cell), string> Queue()
    {
        var (code, output, error) = SlurmCommand.Run("squeue", ["--noheader", "--array", $"--name={JobName}", "--format=%F|%K|%T"]);
        if (code != 0) throw new SoSegException($"squeue failed (exit code {code}): {error.Trim()}");
        var queue = new Dictionary<(string, int), string>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split('|');
            if (fields.Length != 3) continue;
            foreach (int index in ArrayIndices(fields[1])) queue[(fields[0], index)] = fields[2];
        }
        return queue;
    }

    /// <summary>Array indices as squeue prints them: "3", or a pending range "[0-2,5%4]".</summary>
    public static IEnumerable<int> ArrayIndices(string text)
    {
        text = text.Trim().TrimStart('[').TrimEnd(']');
        int percent = text.IndexOf('%');
        if (percent >= 0) text = text[..percent];
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split('-');
            if (bounds.Length == 1 && int.TryParse(bounds[0], out int single)) yield return single;
            else if (bounds.Length == 2 && int.TryParse(bounds[0], out int from) && int.TryParse(bounds[1], out int to))
                for (int i = from; i <= to; i++) yield return i;
        }
    }

    /// <summary>"2 pending, 1 running, 1 done, 0 failed (of 4)".</summary>
    public static string Summary(IReadOnlyDictionary<int, CellState> states)
    {
        int Count(CellState s) => states.Values.Count(v => v == s);
        string notSubmitted = Count(CellState.NotSubmitted) is > 0 and var n ? $", {n} not submitted" : "";
        return $"{Count(CellState.Pending)} pending, {Count(CellState.Running)} running, {Count(CellState.Done)} done, {Count(CellState.Failed)} failed{notSubmitted} (of {states.Count})";
    }

    /// <summary>Prints the cells' states whenever they change, until none is pending or running; returns the last states.</summary>
    public IReadOnlyDictionary<int, CellState> Wait(TimeSpan poll, CancellationToken cancel)
    {
        string? last = null;
        while (true)
        {
            var states = States();
            string summary = Summary(states);
            if (summary != last)
            {
                var running = grid.Cells.Where(c => states[c.Index] == CellState.Running).Select(c => c.Name).ToList();
                log.WriteLine($"{DateTime.Now:HH:mm:ss} cells: {summary}{(running.Count > 0 ? $"; running: {string.Join(", ", running)}" : "")}");
                log.Flush();
                last = summary;
            }
            if (!states.Values.Any(s => s is CellState.Pending or CellState.Running)) return states;
            if (cancel.WaitHandle.WaitOne(poll))
                throw new OperationCanceledException($"stopped waiting; the Slurm tasks go on. Follow them with `soseg compare --collect {grid.Report}`.");
        }
    }

    /// <summary>Where a failed cell's last log and status are, for the user.</summary>
    public string FailureNote(GridCell cell)
    {
        var status = CellStatus.Read(grid, cell.Index);
        var logFile = Directory.Exists(Path.Combine(Folder, "logs"))
            ? new DirectoryInfo(Path.Combine(Folder, "logs")).GetFiles($"cell-{cell.Index}-*.out").OrderBy(f => f.LastWriteTimeUtc).LastOrDefault()?.FullName
            : null;
        string said = status is null ? "never started" : status.State == CellStatus.Running ? $"stopped without a word (last seen running on {status.Host})" : status.State + (status.Message is { } m ? $": {m}" : "");
        return $"{cell.Name}: {said}{(logFile is null ? "" : $"; log {logFile}")}";
    }
}

/// <summary>Runs Slurm's client commands (sbatch, squeue) with a clear error when they are missing or hang.</summary>
public static class SlurmCommand
{
    /// <summary>Fails with the fix when sbatch and squeue are not on PATH, before anything is written.</summary>
    public static void EnsureAvailable()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var command in new[] { "sbatch", "squeue" })
            if (!path.Any(folder => File.Exists(Path.Combine(folder, command))))
                throw new SoSegException($"{command} is not on PATH: --executor slurm needs Slurm's client commands on this machine (Debian: apt-get install slurm-client).");
    }

    public static (int Code, string Output, string Error) Run(string command, IReadOnlyList<string> arguments, int timeoutSeconds = 120)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try { process = Process.Start(start) ?? throw new SoSegException($"{command} could not be started."); }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new SoSegException($"{command} is not on PATH: --executor slurm needs Slurm's client commands (sbatch, squeue) on this machine (Debian: apt-get install slurm-client).");
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
            {
                process.Kill(entireProcessTree: true);
                throw new SoSegException($"{command} did not answer within {timeoutSeconds} s (is slurmctld reachable?).");
            }
            return (process.ExitCode, output.Result, error.Result);
        }
    }
}
