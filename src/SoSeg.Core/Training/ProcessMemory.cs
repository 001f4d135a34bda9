namespace SoSeg.Training;

/// <summary>Resident memory of this process, from /proc/self/status (Linux).</summary>
public static class ProcessMemory
{
    /// <summary>Current resident set size in MiB (VmRSS), or the managed working set where /proc is absent.</summary>
    public static double ResidentMegabytes() => ReadStatus("VmRSS:") ?? Environment.WorkingSet / (1024.0 * 1024.0);

    /// <summary>Peak resident set size in MiB (VmHWM) since start or the last <see cref="ResetPeak"/>.</summary>
    public static double PeakResidentMegabytes() => ReadStatus("VmHWM:") ?? Environment.WorkingSet / (1024.0 * 1024.0);

    /// <summary>Resets the peak (VmHWM) to the current RSS, so a measurement starts clean.</summary>
    public static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    static double? ReadStatus(string key)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        foreach (var line in File.ReadLines(status))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
            var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0 && long.TryParse(parts[0], out long kilobytes)) return kilobytes / 1024.0;
        }
        return null;
    }
}
