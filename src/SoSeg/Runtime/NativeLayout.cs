using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SoSeg.Runtime;

/// <summary>
/// Keeps CPU and CUDA libtorch apart. A normal build carries the CPU libtorch from NuGet next to the
/// app; TorchSharp loads it as soon as any torch type is touched, and a CUDA libtorch loaded later
/// would bind to it (docs/gpu.md). So when CUDA is wanted, SoSeg runs the command in a child process
/// from a copy of the app folder without the CPU libtorch files, with the CUDA libtorch folder on
/// LD_LIBRARY_PATH. Uses no TorchSharp types: it must run before any native library loads.
/// </summary>
public static class NativeLayout
{
    /// <summary>Set to "external" in a process whose libtorch comes from LD_LIBRARY_PATH, not the app folder.</summary>
    public const string ModeVariable = "SOSEG_NATIVE_LAYOUT";

    /// <summary>File-name prefixes of the libraries shipped by the libtorch-cpu NuGet package.</summary>
    static readonly string[] CpuLibtorchPrefixes =
    [
        "libtorch", "libc10", "libgomp", "libshm", "libaoti_custom_ops", "libbackend_with_compiler",
        "libjitbackend_test", "libnnapi_backend",
    ];

    /// <summary>True when a file belongs to the CPU libtorch package (and so must not sit next to a CUDA libtorch).</summary>
    public static bool IsCpuLibtorchFile(string fileName) =>
        fileName.Contains(".so", StringComparison.Ordinal) &&
        CpuLibtorchPrefixes.Any(p => fileName.StartsWith(p, StringComparison.Ordinal));

    static string AppFolder => AppContext.BaseDirectory;

    /// <summary>True when this process takes libtorch from outside the app folder (a CUDA install, or the GPU runner's layout).</summary>
    public static bool IsExternal =>
        Environment.GetEnvironmentVariable(ModeVariable) == "external" || !AppHasCpuLibtorch(AppFolder);

    static bool AppHasCpuLibtorch(string folder) =>
        File.Exists(Path.Combine(folder, "libtorch_cpu.so")) ||
        File.Exists(Path.Combine(folder, "runtimes", "linux-x64", "native", "libtorch_cpu.so"));

    /// <summary>
    /// Decides where the command runs. Returns null to run it in this process, or the exit code of the
    /// child process that ran it on a CUDA libtorch. Throws <see cref="DeviceUnavailableException"/>
    /// when CUDA was asked for and no CUDA libtorch can be found.
    /// </summary>
    public static int? RunOnCudaLibtorchIfNeeded(DeviceSpec device, IReadOnlyList<string> args)
    {
        if (device.Kind == DeviceKind.Cpu || IsExternal || !OperatingSystem.IsLinux()) return null;
        // auto on a machine without an NVIDIA driver: CPU, without searching.
        if (device.Kind == DeviceKind.Auto && !LibtorchLocator.NvidiaDriverPresent()) return null;
        var search = LibtorchLocator.FindCuda();
        if (search.Folder is null)
        {
            if (device.Kind == DeviceKind.Auto) return null;
            throw SettingError.Naming(new DeviceUnavailableException(NoCudaLibtorchMessage(search)), "Device");
        }
        string layout = PrepareExternalLayout(AppFolder);
        return RunChild(layout, search.Folder, args);
    }

    /// <summary>The message for Device cuda when nothing usable was found: what was searched and how to fix it.</summary>
    public static string NoCudaLibtorchMessage(LibtorchLocator.SearchResult search) =>
        "Device cuda needs a CUDA build of libtorch, and none was found.\n" +
        "Searched for libtorch_cuda.so (with libtorch_cpu.so and libc10.so) in:\n  " +
        string.Join("\n  ", search.Searched) + "\n" +
        $"Fix: point {LibtorchLocator.EnvironmentVariable} at the lib folder of a CUDA PyTorch install, for example\n" +
        $"  export {LibtorchLocator.EnvironmentVariable}=$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), \"lib\"))')\n" +
        "or at an unpacked libtorch (cxx11 ABI) lib folder; or use Device cpu. See docs/gpu.md.";

    /// <summary>
    /// Copies the app folder, minus the CPU libtorch files and the deps.json that lists them, into a
    /// cache folder, with the remaining native libraries (patched LibTorchSharp, Skia) at its root.
    /// Refreshed only when a source file changed.
    /// </summary>
    /// <param name="cacheRoot">Cache folder to use (default: $XDG_CACHE_HOME, else ~/.cache).</param>
    public static string PrepareExternalLayout(string appFolder, string? cacheRoot = null)
    {
        string key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(appFolder))))[..16].ToLowerInvariant();
        string target = Path.Combine(cacheRoot is null ? IO.UserCache.Folder : Path.Combine(cacheRoot, "soseg"), "external-libtorch-app", key);
        Directory.CreateDirectory(target);
        PruneOldLayouts(Path.GetDirectoryName(target)!, keep: target, olderThan: TimeSpan.FromDays(14));

        var sources = new List<string>();
        foreach (var file in Directory.GetFiles(appFolder))
            if (!file.EndsWith(".deps.json", StringComparison.Ordinal) && !IsCpuLibtorchFile(Path.GetFileName(file)))
                sources.Add(file);
        string natives = Path.Combine(appFolder, "runtimes", "linux-x64", "native");
        if (Directory.Exists(natives))
            foreach (var file in Directory.GetFiles(natives))
                if (!IsCpuLibtorchFile(Path.GetFileName(file)))
                    sources.Add(file);

        foreach (var source in sources)
        {
            string destination = Path.Combine(target, Path.GetFileName(source));
            var from = new FileInfo(source);
            var to = new FileInfo(destination);
            if (to.Exists && to.Length == from.Length && to.LastWriteTimeUtc == from.LastWriteTimeUtc) continue;
            string temp = destination + ".tmp" + Environment.ProcessId;
            File.Copy(source, temp, overwrite: true);
            File.SetLastWriteTimeUtc(temp, from.LastWriteTimeUtc);
            File.Move(temp, destination, overwrite: true);
        }
        return target;
    }

    /// <summary>
    /// Deletes copies of other app builds not used for <paramref name="olderThan"/> (each use touches its folder),
    /// leaving <paramref name="keep"/>. A folder another process is filling is young, so it stays.
    /// </summary>
    public static void PruneOldLayouts(string root, string keep, TimeSpan olderThan)
    {
        Directory.SetLastWriteTimeUtc(keep, DateTime.UtcNow);
        foreach (var folder in Directory.GetDirectories(root))
        {
            if (Path.GetFullPath(folder) == Path.GetFullPath(keep)) continue;
            if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) < olderThan) continue;
            try { Directory.Delete(folder, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    static int RunChild(string layout, string libtorchFolder, IReadOnlyList<string> args)
    {
        string entryAssembly = System.Reflection.Assembly.GetEntryAssembly()?.Location is { Length: > 0 } location
            ? Path.GetFileName(location) : "soseg.dll";
        string entry = Path.Combine(layout, entryAssembly);
        var start = new ProcessStartInfo(DotnetHost()) { UseShellExecute = false };
        start.ArgumentList.Add(entry);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        string previous = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "";
        start.Environment["LD_LIBRARY_PATH"] = previous.Length == 0 ? libtorchFolder : libtorchFolder + ":" + previous;
        start.Environment[ModeVariable] = "external";
        start.Environment[LibtorchLocator.EnvironmentVariable] = libtorchFolder;

        using var child = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + start.FileName);
        // SIGINT/SIGTERM/SIGHUP sent to this process alone must not leave the child running on the GPU: pass them on and
        // wait for it. (Ctrl+C in a terminal reaches both; the child takes a repeat within a moment as the same press.)
        using var interrupt = Forward(PosixSignal.SIGINT, child);
        using var terminate = Forward(PosixSignal.SIGTERM, child);
        using var hangUp = Forward(PosixSignal.SIGHUP, child);
        child.WaitForExit();
        return child.ExitCode;
    }

    static PosixSignalRegistration Forward(PosixSignal signal, Process child) => PosixSignalRegistration.Create(signal, context =>
    {
        context.Cancel = true;
        try { if (!child.HasExited) _ = Kill(child.Id, SignalNumber(signal)); }
        catch (InvalidOperationException) { }
    });

    static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGTERM => 15,
        PosixSignal.SIGHUP => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(signal)),
    };

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);

    /// <summary>The dotnet host that runs this app (the muxer), found the way the SDK's tools find it.</summary>
    static string DotnetHost()
    {
        string? process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet") return process;
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet")))
            return Path.Combine(root, "dotnet");
        string runtimeDir = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        // .../shared/Microsoft.NETCore.App/<version>/ -> the install root holds the muxer.
        string? installRoot = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        if (File.Exists(Path.Combine(installRoot, "dotnet"))) return Path.Combine(installRoot, "dotnet");
        return "dotnet";
    }
}

/// <summary>The requested device cannot be used; the message says why and how to fix it.</summary>
public sealed class DeviceUnavailableException(string message) : Exception(message);
