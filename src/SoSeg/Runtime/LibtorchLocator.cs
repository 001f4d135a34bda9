namespace SoSeg.Runtime;

/// <summary>
/// Finds a CUDA build of libtorch on this machine: the folder holding libtorch_cuda.so, usually the
/// <c>torch/lib</c> folder of a PyTorch install. Uses no TorchSharp types, so it can run before any
/// native library is loaded.
/// </summary>
public static class LibtorchLocator
{
    /// <summary>Environment variable naming the folder with libtorch_cuda.so (or a PyTorch install's torch/ folder).</summary>
    public const string EnvironmentVariable = "SOSEG_LIBTORCH";

    /// <summary>Result of a search: the folder found (or null) and every place looked at, for error messages.</summary>
    public sealed record SearchResult(string? Folder, IReadOnlyList<string> Searched);

    static readonly Lazy<SearchResult> Found = new(Search);

    /// <summary>
    /// Looks for a CUDA libtorch in SOSEG_LIBTORCH, LD_LIBRARY_PATH, active Python environments and the usual
    /// install places. Searches once per process (it may start python3).
    /// </summary>
    public static SearchResult FindCuda() => Found.Value;

    static SearchResult Search()
    {
        var searched = new List<string>();
        foreach (var candidate in Candidates())
        {
            string folder = NormaliseCandidate(candidate);
            if (searched.Contains(folder)) continue;
            searched.Add(folder);
            if (IsCudaLibtorchFolder(folder)) return new SearchResult(folder, searched);
        }
        return new SearchResult(null, searched);
    }

    /// <summary>True when the folder holds the CUDA libtorch libraries TorchSharp binds to.</summary>
    public static bool IsCudaLibtorchFolder(string folder) =>
        File.Exists(Path.Combine(folder, "libtorch_cuda.so")) &&
        File.Exists(Path.Combine(folder, "libtorch_cpu.so")) &&
        File.Exists(Path.Combine(folder, "libc10.so"));

    /// <summary>True when an NVIDIA driver is present (device nodes exist); CUDA cannot work without one.</summary>
    public static bool NvidiaDriverPresent() =>
        File.Exists("/dev/nvidiactl") || File.Exists("/proc/driver/nvidia/version");

    /// <summary>PyTorch's version string from torch/version.py next to a torch/lib folder, when there is one.</summary>
    public static string? PyTorchVersion(string libFolder)
    {
        string versionFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(libFolder).TrimEnd('/')) ?? "", "version.py");
        if (!File.Exists(versionFile)) return null;
        foreach (var line in File.ReadLines(versionFile))
        {
            var trimmed = line.Trim();
            if (!trimmed.StartsWith("__version__", StringComparison.Ordinal)) continue;
            int first = trimmed.IndexOfAny(['\'', '"']);
            int last = trimmed.LastIndexOfAny(['\'', '"']);
            if (first >= 0 && last > first) return trimmed[(first + 1)..last];
        }
        return null;
    }

    static string NormaliseCandidate(string path)
    {
        string full = Path.GetFullPath(path);
        // Accept the torch/ package folder or a libtorch distribution root as well as the lib folder itself.
        string lib = Path.Combine(full, "lib");
        if (!File.Exists(Path.Combine(full, "libtorch_cuda.so")) && Directory.Exists(lib)) return lib;
        return full;
    }

    static IEnumerable<string> Candidates()
    {
        string? configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured)) yield return configured;

        foreach (var part in (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            yield return part;

        var pythonRoots = new List<string>();
        foreach (var variable in new[] { "VIRTUAL_ENV", "CONDA_PREFIX" })
        {
            string? root = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrWhiteSpace(root)) pythonRoots.Add(root);
        }
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        pythonRoots.AddRange(new[] { "/opt/torch/.venv", "/opt/conda", "/usr/local", "/usr", Path.Combine(home, ".local"), Path.Combine(home, "miniconda3"), Path.Combine(home, "anaconda3") });

        foreach (var root in pythonRoots)
        {
            string libRoot = Path.Combine(root, "lib");
            if (!Directory.Exists(libRoot)) continue;
            string[] pythons;
            try { pythons = Directory.GetDirectories(libRoot, "python3*"); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            Array.Sort(pythons, StringComparer.Ordinal);
            foreach (var python in pythons)
            {
                yield return Path.Combine(python, "site-packages", "torch", "lib");
                yield return Path.Combine(python, "dist-packages", "torch", "lib");
            }
        }
        yield return "/opt/libtorch/lib";
        yield return "/usr/local/libtorch/lib";
        if (PythonTorchFolder() is { } fromPython) yield return fromPython;
    }

    /// <summary>Asks python3 on PATH where its torch package is, without importing torch (fast).</summary>
    static string? PythonTorchFolder() =>
        AskPython("python3", "import importlib.util as u; s = u.find_spec('torch'); print(s.submodule_search_locations[0] if s else '')", PythonTimeout);

    static readonly TimeSpan PythonTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs <paramref name="python"/> -c <paramref name="code"/> and returns its trimmed output, or null when it fails,
    /// prints nothing, or has not finished within <paramref name="timeout"/> (then it is killed). The clock runs from the
    /// start: output is read asynchronously, so a python that hangs before printing cannot block the read.
    /// </summary>
    internal static string? AskPython(string python, string code, TimeSpan timeout)
    {
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo(python)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(code);
            using var process = System.Diagnostics.Process.Start(start);
            if (process is null) return null;
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            if (!process.WaitForExit(timeout))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                return null;
            }
            // The process has exited, so its output is complete; the wait only guards against a stuck reader.
            if (!output.Wait(TimeSpan.FromSeconds(10))) return null;
            string text = output.Result.Trim();
            return process.ExitCode == 0 && text.Length > 0 ? text : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }
}
