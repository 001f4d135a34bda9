using System.Runtime.InteropServices;

namespace SoSeg.Runtime;

/// <summary>
/// How many CPUs this process may actually use: the libtorch thread count every command starts with.
/// libtorch's own default counts the machine's cores; on a shared node, in a Slurm task or a container with a
/// CPU quota that oversubscribes the CPUs the process was given, and its OpenMP threads then spin against
/// each other (two trainings on two cores ran 4x slower than with one thread each).
/// Each limit below is a ceiling; the smallest one known wins:
/// <list type="bullet">
/// <item>SLURM_CPUS_PER_TASK, set by Slurm for a task started with --cpus-per-task;</item>
/// <item>the CPU affinity mask (sched_getaffinity: taskset, numactl, Slurm's and Kubernetes' CPU pinning);</item>
/// <item>the cgroup CPU quota (cgroup v2 cpu.max, v1 cpu.cfs_quota_us / cpu.cfs_period_us: docker --cpus,
/// Kubernetes CPU limits), rounded down because threads beyond a quota are throttled, not run.</item>
/// </list>
/// </summary>
/// <param name="Count">CPUs to use (at least 1).</param>
/// <param name="Source">Which limit decided it, for `soseg info`.</param>
public sealed record CpuBudget(int Count, string Source)
{
    public const string SlurmVariable = "SLURM_CPUS_PER_TASK";

    static readonly Lazy<CpuBudget> Detected = new(() => From(
        Environment.GetEnvironmentVariable(SlurmVariable), AffinityMask(), CgroupQuota(), Environment.ProcessorCount));

    /// <summary>This process's budget (read once).</summary>
    public static CpuBudget Current => Detected.Value;

    /// <summary>
    /// The budget from the given facts: <paramref name="slurmCpusPerTask"/> (the variable's text, or null),
    /// <paramref name="affinityMask"/> (sched_getaffinity's bytes, bit i = CPU i; null when unknown),
    /// <paramref name="cgroupQuotaCpus"/> (quota / period; null when unlimited or unknown) and the machine's
    /// <paramref name="logicalProcessors"/>, the fallback.
    /// </summary>
    public static CpuBudget From(string? slurmCpusPerTask, byte[]? affinityMask, double? cgroupQuotaCpus, int logicalProcessors)
    {
        var budget = new CpuBudget(Math.Max(1, logicalProcessors), "logical processors");
        if (cgroupQuotaCpus is > 0 and var quota && Math.Max(1, (int)Math.Floor(quota)) is var fromQuota && fromQuota <= budget.Count)
            budget = new CpuBudget(fromQuota, $"cgroup CPU quota {quota:0.##}");
        if (affinityMask is not null && CountCpus(affinityMask) is > 0 and var pinned && pinned <= budget.Count)
            budget = new CpuBudget(pinned, "CPU affinity mask");
        if (int.TryParse(slurmCpusPerTask?.Trim(), out int slurm) && slurm > 0 && slurm <= budget.Count)
            budget = new CpuBudget(slurm, SlurmVariable);
        return budget;
    }

    /// <summary>CPUs set in an affinity mask.</summary>
    public static int CountCpus(ReadOnlySpan<byte> mask)
    {
        int count = 0;
        foreach (byte b in mask) count += System.Numerics.BitOperations.PopCount(b);
        return count;
    }

    /// <summary>
    /// CPUs a cgroup v2 cpu.max line allows ("QUOTA PERIOD" in microseconds, or "max PERIOD"); null when
    /// unlimited or unreadable.
    /// </summary>
    public static double? ParseCpuMax(string content)
    {
        var parts = content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0] == "max") return null;
        long period = parts.Length > 1 && long.TryParse(parts[1], out long p) ? p : 100_000;
        return long.TryParse(parts[0], out long quota) && quota > 0 && period > 0 ? quota / (double)period : null;
    }

    /// <summary>CPUs a cgroup v1 quota allows (cpu.cfs_quota_us, -1 = unlimited, and cpu.cfs_period_us); null when unlimited.</summary>
    public static double? ParseCfsQuota(string quotaText, string periodText) =>
        long.TryParse(quotaText.Trim(), out long quota) && quota > 0 && long.TryParse(periodText.Trim(), out long period) && period > 0
            ? quota / (double)period : null;

    [DllImport("libc", SetLastError = true)]
    static extern int sched_getaffinity(int pid, nint size, byte[] mask);

    /// <summary>This process's affinity mask, or null off Linux or when the call fails.</summary>
    static byte[]? AffinityMask()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            // Grow the mask until the kernel's CPU set fits (EINVAL while it is too small).
            for (int bytes = 128; bytes <= 1 << 16; bytes *= 2)
            {
                var mask = new byte[bytes];
                if (sched_getaffinity(0, bytes, mask) == 0) return mask;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
        return null;
    }

    /// <summary>
    /// The tightest CPU quota on this process's cgroup path (a parent's quota limits its children too), from
    /// /proc/self/cgroup; null when unlimited or not on Linux.
    /// </summary>
    static double? CgroupQuota()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/self/cgroup")) return null;
        try
        {
            double? tightest = null;
            void Consider(double? quota) { if (quota is { } q && (tightest is null || q < tightest)) tightest = q; }
            foreach (var line in File.ReadAllLines("/proc/self/cgroup"))
            {
                var fields = line.Split(':', 3);
                if (fields.Length != 3) continue;
                if (fields[0] == "0" && fields[1] == "")
                    foreach (var folder in SelfAndParents("/sys/fs/cgroup", fields[2]))
                    {
                        string path = Path.Combine(folder, "cpu.max");
                        if (File.Exists(path)) Consider(ParseCpuMax(File.ReadAllText(path)));
                    }
                else if (fields[1].Split(',').Contains("cpu"))
                    foreach (var root in new[] { "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct" })
                        foreach (var folder in SelfAndParents(root, fields[2]))
                        {
                            string quota = Path.Combine(folder, "cpu.cfs_quota_us"), period = Path.Combine(folder, "cpu.cfs_period_us");
                            if (File.Exists(quota) && File.Exists(period)) Consider(ParseCfsQuota(File.ReadAllText(quota), File.ReadAllText(period)));
                        }
            }
            return tightest;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    static IEnumerable<string> SelfAndParents(string root, string cgroupPath)
    {
        string relative = cgroupPath.Trim().TrimStart('/');
        while (true)
        {
            yield return relative.Length == 0 ? root : Path.Combine(root, relative);
            if (relative.Length == 0) yield break;
            int slash = relative.LastIndexOf('/');
            relative = slash < 0 ? "" : relative[..slash];
        }
    }
}
