using System.Globalization;

namespace SoSeg.Training;

/// <summary>Resident memory of this process, from /proc/self/status (Linux).</summary>
public static class ProcessMemory
{
    /// <summary>Current resident set size in MiB (VmRSS), or the managed working set where /proc is absent.</summary>
    public static double ResidentMegabytes() => StatusKilobytes("VmRSS") / 1024.0 ?? Environment.WorkingSet / (1024.0 * 1024.0);

    /// <summary>Resets the peak (VmHWM) to the current RSS, so a measurement starts clean; false where that is not possible.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A kB field of /proc/self/status (e.g. "VmHWM"), or null where it cannot be read.</summary>
    public static long? StatusKilobytes(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith(key + ":", StringComparison.Ordinal)) continue;
                var parts = line[(key.Length + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }
}
