namespace SoSeg.App.Comparison.Grid;

/// <summary>
/// How each cell of a grid is requested from Slurm: one task of a job array per cell.
/// Null values are left to the cluster's defaults.
/// </summary>
public sealed record SlurmSettings
{
    public string? Partition { get; init; }
    public int? GpusPerTask { get; init; }
    /// <summary>CPUs per task; the task's libtorch uses exactly these (SLURM_CPUS_PER_TASK).</summary>
    public int? CpusPerTask { get; init; }
    /// <summary>Memory per node, in sbatch's syntax (16G).</summary>
    public string? Memory { get; init; }
    /// <summary>Time limit, in sbatch's syntax (2-00:00:00, 90).</summary>
    public string? TimeLimit { get; init; }
    /// <summary>Seconds before the time limit at which the task gets SIGTERM, writes its state and stops (resumable).</summary>
    public int SigtermSeconds { get; init; } = 120;
    /// <summary>Further sbatch arguments, one per item (--account=lab, --qos=short, --constraint=a100).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
    /// <summary>The command that starts soseg on the compute nodes (a path, or e.g. "dotnet /opt/soseg/soseg.dll").</summary>
    public required string SosegCommand { get; init; }

    public void Validate()
    {
        if (GpusPerTask is < 0) throw new ArgumentException($"--gpus-per-task cannot be negative (got {GpusPerTask}).");
        if (CpusPerTask is < 1) throw new ArgumentException($"--cpus-per-task must be at least 1 (got {CpusPerTask}).");
        if (SigtermSeconds is < 0 or > 65535) throw new ArgumentException($"--sigterm-before must lie in 0..65535 seconds (got {SigtermSeconds}).");
        if (string.IsNullOrWhiteSpace(SosegCommand)) throw new ArgumentException("--soseg-command is empty.");
        foreach (var text in new[] { Partition, Memory, TimeLimit }.Concat(ExtraArguments))
            if (text is not null && (text.Contains('\n') || text.Contains('\r')))
                throw new ArgumentException($"A Slurm option holds a line break: {text.ReplaceLineEndings(" ")}");
    }
}
