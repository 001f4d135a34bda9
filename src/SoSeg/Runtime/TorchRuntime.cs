using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Runtime;

/// <summary>
/// Turns a <see cref="DeviceSpec"/> into a TorchSharp device, after <see cref="NativeLayout"/> has
/// decided which libtorch this process uses. Every command that computes goes through here.
/// </summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static bool _initialised;

    /// <summary>
    /// Loads libtorch once. In a process that carries the CPU libtorch, TorchSharp is told its CUDA
    /// backend is already loaded, so nothing (not even manual_seed, which probes CUDA) can dlopen a
    /// libtorch_cuda.so found on LD_LIBRARY_PATH and bind it to the CPU build. Sets libtorch's thread count to
    /// <see cref="CpuBudget.Current"/>.
    /// </summary>
    public static void Initialise()
    {
        lock (Gate)
        {
            if (_initialised) return;
            string? external = NativeLayout.IsExternal ? LibtorchChoice.Chosen ?? Environment.GetEnvironmentVariable(LibtorchLocator.EnvironmentVariable) : null;
            string source = LibtorchChoice.Chosen is not null ? "the folder given to UseLibtorch" : LibtorchLocator.EnvironmentVariable;
            if (!NativeLayout.IsExternal) PinCpuBackend();
            else if (LibtorchChoice.Chosen is null && !string.IsNullOrEmpty(external)) LibtorchProbe.EnsureLoadable(external);
            try { LoadCpuBackend(); }
            catch (Exception e) when (NativeLayout.IsExternal && external is null && e is not DeviceUnavailableException &&
                                      NativeLibraries.LibtorchFolder() is null)
            {
                // A program on the SoSeg package alone that named no libtorch: say so, not TorchSharp's package advice.
                throw new DeviceUnavailableException(
                    $"No libtorch for this process: its app folder ({AppContext.BaseDirectory}) carries none and none was named. " +
                    "Reference the SoSeg.Cpu package for the CPU libtorch, or call TorchRuntime.UseLibtorch(folder) with a libtorch " +
                    $"folder (for CUDA: a PyTorch install's torch/lib) before the first tensor. ({e.GetType().Name}: {FirstLine(e.Message)})");
            }
            // Every command stops here when libtorch came from two places (e.g. a CUDA torch/lib on LD_LIBRARY_PATH
            // supplied libc10.so to the app's CPU libtorch_cpu.so), or from somewhere other than the folder asked for.
            var loaded = NativeLibraries.Loaded();
            NativeLibraries.EnsureNotMixed(loaded);
            if (!string.IsNullOrEmpty(external) && NativeLibraries.LibtorchFolder(loaded) is { } folder &&
                Path.GetFullPath(folder).TrimEnd('/') != Path.GetFullPath(external).TrimEnd('/'))
                throw new DeviceUnavailableException($"libtorch was loaded from {folder}, not from {external} ({source}); " +
                                                     "check that folder's libraries and LD_LIBRARY_PATH.");
            // libtorch would count the machine's cores; use the CPUs this process may use (--threads overrides).
            torch.set_num_threads(CpuBudget.Current.Count);
            _initialised = true;
        }
    }

    /// <summary>
    /// Makes this process use the libtorch in <paramref name="folder"/> (for CUDA: a PyTorch install's torch/lib folder)
    /// instead of the CPU libtorch that the SoSeg.Cpu package puts next to the app. Call it once, before the first tensor,
    /// in a program that references SoSeg without SoSeg.Cpu. Loads that folder's libraries in dependency order and then
    /// TorchSharp on top of them. Throws <see cref="DeviceUnavailableException"/> with the reason when the folder is not a
    /// libtorch, when libtorch is already loaded from elsewhere, when the app folder carries the CPU libtorch, or when a
    /// library it needs (for example libcudart) is missing. Calling it again with the same folder does nothing.
    /// </summary>
    public static void UseLibtorch(string folder)
    {
        lock (Gate) LibtorchChoice.Use(folder);
        Initialise();
    }

    // Its own method, so that TorchSharp's type initialiser (which loads the native libraries) runs inside the try above.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static void LoadCpuBackend() => torch.InitializeDeviceType(DeviceType.CPU);

    static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    static void PinCpuBackend()
    {
        var field = typeof(torch).GetField("nativeBackendCudaLoaded", BindingFlags.NonPublic | BindingFlags.Static);
        field?.SetValue(null, true);
    }

    /// <summary>True when this process runs on a CUDA libtorch and a GPU answers.</summary>
    public static bool CudaAvailable
    {
        get
        {
            Initialise();
            return NativeLayout.IsExternal && torch.cuda.is_available();
        }
    }

    /// <summary>
    /// Resolves auto/cpu/cuda/cuda:N to a device, checks it exists and applies per-device settings
    /// (TF32 on CUDA unless switched off).
    /// </summary>
    public static Device Resolve(DeviceSpec spec, bool allowTf32 = true)
    {
        Initialise();
        switch (spec.Kind)
        {
            case DeviceKind.Cpu:
                return torch.CPU;
            case DeviceKind.Auto:
                if (!CudaAvailable) return torch.CPU;
                spec = new DeviceSpec(DeviceKind.Cuda, 0);
                break;
        }
        if (!NativeLayout.IsExternal)
            throw SettingError.Naming(new DeviceUnavailableException(NativeLayout.NoCudaLibtorchMessage(LibtorchLocator.FindCuda())), "Device");
        if (!torch.cuda.is_available())
            throw SettingError.Naming(new DeviceUnavailableException(
                $"Device {spec} was asked for, and libtorch ({NativeLibraries.LibtorchFolder() ?? "unknown folder"}) loaded, " +
                "but CUDA reports no usable GPU (no NVIDIA driver, no visible device, or a CPU-only libtorch). " +
                "Check nvidia-smi and CUDA_VISIBLE_DEVICES, or use Device cpu."), "Device");
        int count = torch.cuda.device_count();
        if (spec.Index >= count)
            throw SettingError.Naming(new DeviceUnavailableException($"Device {spec}: this machine has {count} CUDA device(s), numbered 0 to {count - 1}."), "Device");
        torch.backends.cuda.matmul.allow_tf32 = allowTf32;
        torch.backends.cudnn.allow_tf32 = allowTf32;
        return torch.device(DeviceType.CUDA, spec.Index);
    }

    /// <summary>Seeds every generator SoSeg uses on this device (CPU, and all GPUs when on CUDA).</summary>
    public static void Seed(long seed, Device device)
    {
        Initialise();
        torch.manual_seed(seed);
        if (device.type == DeviceType.CUDA) torch.cuda.manual_seed_all(seed);
    }

    /// <summary>Libtorch version TorchSharp was built for (the NuGet package's).</summary>
    public static string BuiltForLibtorch => torch.__version__.EndsWith(".0") && torch.__version__.Count(c => c == '.') == 3 ? torch.__version__[..^2] : torch.__version__;

    /// <summary>TorchSharp's own package version.</summary>
    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";
}
