using System.Runtime.InteropServices;
using System.Text;

namespace SoSeg.Runtime;

/// <summary>One GPU as the NVIDIA driver reports it: its physical (NVML) index, UUID, and whether it is split into MIG instances.</summary>
public sealed record GpuDevice(int Index, string Name, long TotalBytes, long FreeBytes, string Uuid = "", bool MigEnabled = false);

/// <summary>What CUDA's device N is in NVML's terms (<see cref="GpuInfo.MapCudaDevice"/>).</summary>
public abstract record VisibleDevice
{
    /// <summary>A physical GPU by NVML index.</summary>
    public sealed record Physical(int Index) : VisibleDevice;
    /// <summary>A physical GPU by UUID (CUDA_VISIBLE_DEVICES=GPU-...).</summary>
    public sealed record ByUuid(string Uuid) : VisibleDevice;
    /// <summary>A MIG instance: NVML's whole-device figures do not describe it.</summary>
    public sealed record MigInstance(string Id) : VisibleDevice;
    /// <summary>CUDA_VISIBLE_DEVICES hides it (or names nothing usable).</summary>
    public sealed record Hidden : VisibleDevice;
}

/// <summary>
/// GPU names and memory through NVML (libnvidia-ml.so.1, part of every NVIDIA driver), because
/// TorchSharp 0.107 exposes neither device names nor memory figures.
/// </summary>
public static partial class GpuInfo
{
    const string Nvml = "libnvidia-ml.so.1";

    [StructLayout(LayoutKind.Sequential)]
    struct NvmlMemory { public ulong Total; public ulong Free; public ulong Used; }

    [LibraryImport(Nvml, EntryPoint = "nvmlInit_v2")] private static partial int NvmlInit();
    [LibraryImport(Nvml, EntryPoint = "nvmlShutdown")] private static partial int NvmlShutdown();
    [LibraryImport(Nvml, EntryPoint = "nvmlDeviceGetCount_v2")] private static partial int NvmlDeviceCount(out uint count);
    [LibraryImport(Nvml, EntryPoint = "nvmlDeviceGetHandleByIndex_v2")] private static partial int NvmlHandle(uint index, out IntPtr device);
    [LibraryImport(Nvml, EntryPoint = "nvmlDeviceGetName")] private static partial int NvmlName(IntPtr device, [Out] byte[] name, uint length);
    [LibraryImport(Nvml, EntryPoint = "nvmlDeviceGetMemoryInfo")] private static partial int NvmlMemoryInfo(IntPtr device, out NvmlMemory memory);
    [LibraryImport(Nvml, EntryPoint = "nvmlDeviceGetUUID")] private static partial int NvmlUuid(IntPtr device, [Out] byte[] uuid, uint length);
    [LibraryImport(Nvml, EntryPoint = "nvmlDeviceGetMigMode")] private static partial int NvmlMigMode(IntPtr device, out uint current, out uint pending);

    /// <summary>
    /// The GPU CUDA calls device <paramref name="cudaIndex"/>, with its memory figures, or null when NVML cannot
    /// describe it: no driver, hidden, or a MIG instance (NVML's figures are the whole card's, not the instance's).
    /// CUDA numbers the devices CUDA_VISIBLE_DEVICES lists, in its order; NVML numbers all of them.
    /// </summary>
    public static GpuDevice? ForCudaDevice(int cudaIndex)
    {
        var visible = MapCudaDevice(Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES"), Math.Max(0, cudaIndex));
        var devices = List();
        var device = visible switch
        {
            VisibleDevice.Physical p => devices.FirstOrDefault(d => d.Index == p.Index),
            VisibleDevice.ByUuid u => devices.FirstOrDefault(d => d.Uuid.StartsWith(u.Uuid, StringComparison.OrdinalIgnoreCase)),
            _ => null,
        };
        return device is { MigEnabled: false } ? device : null;
    }

    /// <summary>Reads CUDA_VISIBLE_DEVICES (null or empty-unset: every device in NVML order) for CUDA device <paramref name="cudaIndex"/>.</summary>
    public static VisibleDevice MapCudaDevice(string? cudaVisibleDevices, int cudaIndex)
    {
        if (cudaVisibleDevices is null) return new VisibleDevice.Physical(cudaIndex);
        // CUDA stops at the first entry it cannot use; an empty value hides every device.
        var entries = cudaVisibleDevices.Split(',', StringSplitOptions.TrimEntries).TakeWhile(e => e.Length > 0).ToList();
        if (cudaIndex >= entries.Count) return new VisibleDevice.Hidden();
        string entry = entries[cudaIndex];
        if (entry.StartsWith("MIG-", StringComparison.OrdinalIgnoreCase)) return new VisibleDevice.MigInstance(entry);
        if (entry.StartsWith("GPU-", StringComparison.OrdinalIgnoreCase)) return new VisibleDevice.ByUuid(entry);
        return int.TryParse(entry, out int index) && index >= 0 ? new VisibleDevice.Physical(index) : new VisibleDevice.Hidden();
    }

    /// <summary>Every GPU the driver sees (empty when there is no NVIDIA driver).</summary>
    public static IReadOnlyList<GpuDevice> List()
    {
        if (!LibtorchLocator.NvidiaDriverPresent()) return [];
        var devices = new List<GpuDevice>();
        try
        {
            if (NvmlInit() != 0) return devices;
            try
            {
                if (NvmlDeviceCount(out uint count) != 0) return devices;
                for (uint i = 0; i < count; i++)
                {
                    if (NvmlHandle(i, out var handle) != 0) continue;
                    var buffer = new byte[96];
                    string name = NvmlName(handle, buffer, (uint)buffer.Length) == 0
                        ? Encoding.ASCII.GetString(buffer).TrimEnd('\0') : "unknown";
                    NvmlMemoryInfo(handle, out var memory);
                    var uuid = new byte[96];
                    string uuidText = NvmlUuid(handle, uuid, (uint)uuid.Length) == 0 ? Encoding.ASCII.GetString(uuid).TrimEnd('\0') : "";
                    bool mig = MigMode(handle);
                    devices.Add(new GpuDevice((int)i, name, (long)memory.Total, (long)memory.Free, uuidText, mig));
                }
            }
            finally { NvmlShutdown(); }
        }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
        return devices;
    }

    static bool MigMode(IntPtr handle)
    {
        try { return NvmlMigMode(handle, out uint current, out _) == 0 && current == 1; }
        catch (EntryPointNotFoundException) { return false; }
    }
}
