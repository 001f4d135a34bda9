using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Runtime;

/// <summary>Memory a device has free for new tensors: MemAvailable of /proc/meminfo on CPU, NVML's free figure on CUDA.</summary>
public static class AvailableMemory
{
    /// <summary>Free bytes and where the figure comes from, or null where this platform gives none.</summary>
    public static (long Bytes, string Source)? Of(Device device)
    {
        if (device.type == DeviceType.CUDA)
        {
            var gpu = GpuInfo.List().FirstOrDefault(g => g.Index == Math.Max(0, device.index));
            return gpu is null ? null : (gpu.FreeBytes, $"free on GPU {gpu.Index} ({gpu.Name})");
        }
        return MemInfoAvailable() is { } bytes ? (bytes, "MemAvailable in /proc/meminfo") : null;
    }

    static long? MemInfoAvailable()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kilobytes))
                    return kilobytes * 1024;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return null;
    }
}
