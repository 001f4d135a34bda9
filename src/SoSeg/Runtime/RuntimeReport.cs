using System.Runtime.InteropServices;
using TorchSharp;

namespace SoSeg.Runtime;

/// <summary>Facts about this process's .NET, TorchSharp, libtorch and devices (soseg info).</summary>
public sealed record RuntimeReport(
    string SoSegVersion,
    string DotnetVersion,
    string OperatingSystem,
    string TorchSharpVersion,
    string LibtorchVersion,
    string LibtorchSource,
    string? LibtorchFolder,
    IReadOnlyList<string> LoadedNativeFiles,
    int ProcessorCount,
    int TorchThreads,
    string RequestedDevice,
    string SelectedDevice,
    bool CudaAvailable,
    IReadOnlyList<GpuDevice> Gpus,
    string? CudaLibtorchFound,
    bool Tf32)
{
    /// <summary>Collects the report, resolving the requested device the way every command does.</summary>
    public static RuntimeReport Collect(DeviceSpec requested, bool allowTf32)
    {
        var device = TorchRuntime.Resolve(requested, allowTf32);
        // Touch a tensor so libtorch is fully loaded before reading /proc/self/maps.
        using (var probe = torch.ones(1, device: device)) probe.sum().Dispose();
        var loaded = NativeLibraries.Loaded();
        NativeLibraries.EnsureNotMixed(loaded);

        string? folder = NativeLibraries.LibtorchFolder(loaded);
        string libtorchVersion = NativeLayout.IsExternal && folder is not null && LibtorchLocator.PyTorchVersion(folder) is { } pyTorch
            ? $"{pyTorch} (PyTorch install; TorchSharp built for {TorchRuntime.BuiltForLibtorch})"
            : TorchRuntime.BuiltForLibtorch;
        bool cuda = TorchRuntime.CudaAvailable;
        return new RuntimeReport(
            typeof(RuntimeReport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            RuntimeInformation.FrameworkDescription,
            RuntimeInformation.OSDescription,
            TorchRuntime.TorchSharpVersion,
            libtorchVersion,
            NativeLayout.IsExternal ? (LibtorchChoice.Chosen is not null ? "external (TorchRuntime.UseLibtorch)" : "external (LD_LIBRARY_PATH)") : "NuGet libtorch-cpu-linux-x64 in the app folder",
            folder,
            loaded,
            Environment.ProcessorCount,
            torch.get_num_threads(),
            requested.ToString(),
            device.type == DeviceType.CUDA ? $"cuda:{device.index}" : "cpu",
            cuda,
            GpuInfo.List(),
            LibtorchLocator.FindCuda().Folder,
            cuda && allowTf32);
    }
}
