namespace SoSeg.Runtime;

/// <summary>Reads which native libtorch files this process has loaded (from /proc/self/maps).</summary>
public static class NativeLibraries
{
    static readonly string[] Watched = ["libtorch", "libc10", "libLibTorchSharp", "libgomp", "libcudart", "libcudnn"];

    /// <summary>Distinct loaded files whose names start with libtorch, libc10, libLibTorchSharp, libgomp, libcudart or libcudnn.</summary>
    public static IReadOnlyList<string> Loaded()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return [];
        var result = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(maps))
        {
            int slash = line.IndexOf('/');
            if (slash < 0) continue;
            string path = line[slash..].Trim();
            string name = Path.GetFileName(path);
            if (Watched.Any(w => name.StartsWith(w, StringComparison.Ordinal))) result.Add(path);
        }
        return result.ToList();
    }

    /// <summary>Folder libtorch_cpu.so was loaded from, or null before libtorch is loaded.</summary>
    public static string? LibtorchFolder() => LibtorchFolder(Loaded());

    /// <summary>As <see cref="LibtorchFolder()"/>, from a list read by <see cref="Loaded"/>.</summary>
    public static string? LibtorchFolder(IReadOnlyList<string> loaded) =>
        loaded.Where(p => Path.GetFileName(p) == "libtorch_cpu.so").Select(Path.GetDirectoryName).FirstOrDefault();

    /// <summary>
    /// Throws when libtorch/libc10 files were loaded from more than one folder: a CPU build mixed with a
    /// CUDA build in one process gives wrong results or crashes later, so stop now.
    /// </summary>
    public static void EnsureNotMixed() => EnsureNotMixed(Loaded());

    /// <summary>As <see cref="EnsureNotMixed()"/>, on a list read by <see cref="Loaded"/>.</summary>
    public static void EnsureNotMixed(IReadOnlyList<string> loaded)
    {
        var folders = loaded
            .Where(p => Path.GetFileName(p) is { } n && (n.StartsWith("libtorch", StringComparison.Ordinal) || n.StartsWith("libc10", StringComparison.Ordinal)))
            .Select(p => Path.GetDirectoryName(p)!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (folders.Count > 1)
            throw new DeviceUnavailableException(
                "libtorch was loaded from more than one folder (" + string.Join(", ", folders) + "). CPU and CUDA builds " +
                "must not be mixed in one process: run CUDA work in a process of its own (docs/gpu.md), " +
                "and keep PyTorch's torch/lib (or any libtorch folder) out of LD_LIBRARY_PATH for CPU runs: " +
                "unset LD_LIBRARY_PATH or use SOSEG_LIBTORCH to name a CUDA libtorch.");
    }
}
