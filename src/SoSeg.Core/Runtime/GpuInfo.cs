using System.Runtime.InteropServices;
using System.Text;

namespace SoSeg.Runtime;

/// <summary>One GPU as the NVIDIA driver reports it.</summary>
public sealed record GpuDevice(int Index, string Name, long TotalBytes, long FreeBytes);

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
                    devices.Add(new GpuDevice((int)i, name, (long)memory.Total, (long)memory.Free));
                }
            }
            finally { NvmlShutdown(); }
        }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
        return devices;
    }
}
