using System.Runtime.InteropServices;

namespace SoSeg.Runtime;

/// <summary>
/// Points this process at one libtorch folder (a CUDA PyTorch install's torch/lib, or any CPU libtorch) before
/// TorchSharp loads anything: checks it, refuses the mixes that fail later in obscure ways, and loads its libraries
/// in dependency order so that TorchSharp's own loading binds to them. Uses no TorchSharp types.
/// </summary>
public static class LibtorchChoice
{
    /// <summary>Libraries every libtorch folder holds.</summary>
    static readonly string[] Required = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    /// <summary>Load order: each library after the ones it needs (the CUDA pair only where the folder has them).</summary>
    static readonly string[] LoadOrder = ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"];

    /// <summary>The folder given to <see cref="Use(string)"/>, or null when none was.</summary>
    public static string? Chosen { get; private set; }

    /// <summary>
    /// Checks <paramref name="folder"/> and loads its libtorch. Throws <see cref="DeviceUnavailableException"/> when the
    /// folder lacks a libtorch library, when libtorch is already loaded from another folder, when the app folder carries
    /// the CPU libtorch (libtorch_cuda.so would bind to it), or when a library cannot load (naming what it needs).
    /// Calling it again with the same folder does nothing.
    /// </summary>
    public static void Use(string folder) => Use(folder, AppContext.BaseDirectory, NativeLibraries.Loaded());

    /// <summary>As <see cref="Use(string)"/>, with the app folder and the list of loaded libraries given (for tests).</summary>
    internal static void Use(string folder, string appFolder, IReadOnlyList<string> loaded)
    {
        if (string.IsNullOrWhiteSpace(folder)) throw new ArgumentException("A libtorch folder is required.", nameof(folder));
        string full = Normalise(folder);
        if (!Directory.Exists(full))
            throw new DeviceUnavailableException($"{full}: libtorch folder not found. Give the folder holding libtorch_cpu.so " +
                                                 "(for PyTorch: the torch/lib folder of its install).");
        var missing = Required.Where(name => !File.Exists(Path.Combine(full, name))).ToList();
        if (missing.Count > 0)
            throw new DeviceUnavailableException($"{full}: not a libtorch folder, it lacks {string.Join(", ", missing)}. " +
                                                 "Give the folder holding libtorch_cpu.so (for PyTorch: the torch/lib folder of its install).");

        if (NativeLibraries.LibtorchFolder(loaded) is { } loadedFrom)
        {
            if (Normalise(loadedFrom) == full) { Chosen = full; return; }
            throw new DeviceUnavailableException(
                $"libtorch is already loaded from {loadedFrom}, so {full} cannot be used in this process: choose the libtorch " +
                "before the first tensor (before any SoSeg or TorchSharp call that computes). One process holds one libtorch.");
        }

        var appLibtorch = CpuLibtorchFilesIn(appFolder);
        if (appLibtorch.Count > 0 && !appLibtorch.All(file => Normalise(Path.GetDirectoryName(file)!) == full))
            throw new DeviceUnavailableException(
                $"The app folder {appFolder} carries the CPU libtorch ({string.Join(", ", appLibtorch.Select(Path.GetFileName).Take(4))}), " +
                $"which TorchSharp loads first and which {full}'s libraries would then bind to. To use another libtorch, " +
                "reference the SoSeg package without SoSeg.Cpu (or libtorch-cpu-linux-x64) and rebuild.");

        foreach (var name in LoadOrder)
        {
            string library = Path.Combine(full, name);
            if (!File.Exists(library)) continue;
            try { NativeLibrary.Load(library); }
            catch (DllNotFoundException e) { throw new DeviceUnavailableException(LibtorchProbe.Explain(library, e.Message)); }
            catch (BadImageFormatException e) { throw new DeviceUnavailableException($"{library}: not a loadable library for this machine ({e.Message})."); }
        }
        Chosen = full;
    }

    /// <summary>CPU libtorch files in an app folder: at its root or where NuGet puts native assets.</summary>
    public static IReadOnlyList<string> CpuLibtorchFilesIn(string appFolder)
    {
        var files = new List<string>();
        foreach (var candidate in new[] { appFolder, Path.Combine(appFolder, "runtimes", "linux-x64", "native") })
            if (Directory.Exists(candidate))
                files.AddRange(Directory.GetFiles(candidate).Where(f => NativeLayout.IsCpuLibtorchFile(Path.GetFileName(f))).Order(StringComparer.Ordinal));
        return files;
    }

    static string Normalise(string folder) => Path.GetFullPath(folder).TrimEnd('/');
}
