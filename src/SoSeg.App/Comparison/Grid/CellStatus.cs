using System.Text.Json;
using System.Text.Json.Serialization;
using SoSeg.IO;

namespace SoSeg.App.Comparison.Grid;

/// <summary>Where a cell stands, as `soseg compare` reports it while waiting.</summary>
public enum CellState
{
    /// <summary>Never handed to an executor.</summary>
    NotSubmitted,
    /// <summary>Queued, not started.</summary>
    Pending,
    Running,
    /// <summary>Trained for all its epochs and evaluated.</summary>
    Done,
    /// <summary>Stopped without finishing (an error, a cancel, a time limit, a lost node); its run folder resumes.</summary>
    Failed,
}

/// <summary>
/// What the process training a cell last said about it, in REPORT/cells/cell-N.json: written when the
/// task starts and when it ends, so a cell whose process died without a word (SIGKILL, a lost node) is one
/// whose file still says running while the queue no longer lists it.
/// </summary>
public sealed record CellStatus(string State, string? JobId, string Host, int Pid, DateTimeOffset Time, string? Message = null)
{
    public const string Running = "running", Done = "done", Failed = "failed", Interrupted = "interrupted";

    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static string PathFor(ComparisonGrid grid, int cell) => Path.Combine(grid.Report, "cells", $"cell-{cell}.json");

    /// <summary>Records <paramref name="state"/> for <paramref name="cell"/> as said by this process.</summary>
    public static void Write(ComparisonGrid grid, int cell, string state, string? message = null)
    {
        string path = PathFor(grid, cell);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string? job = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID") is { } array
            ? $"{array}_{Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID")}"
            : Environment.GetEnvironmentVariable("SLURM_JOB_ID");
        var status = new CellStatus(state, job, Environment.MachineName, Environment.ProcessId, DateTimeOffset.UtcNow, message);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(status, JsonOptions) + "\n");
    }

    /// <summary>The cell's last status, or null when none was written (or it cannot be read).</summary>
    public static CellStatus? Read(ComparisonGrid grid, int cell)
    {
        string path = PathFor(grid, cell);
        try { return File.Exists(path) ? JsonSerializer.Deserialize<CellStatus>(File.ReadAllText(path), JsonOptions) : null; }
        catch (Exception e) when (e is JsonException or IOException) { return null; }
    }
}
