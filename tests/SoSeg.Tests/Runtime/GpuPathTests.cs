using System.Diagnostics;
using SoSeg.Runtime;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Runtime;

/// <summary>The CUDA path's failure modes, run on the CPU with stand-in libraries, folders and processes.</summary>
public class GpuPathTests
{
    static string AppFolder => AppContext.BaseDirectory;

    static (int Code, string Out, string Err) Start(string file, IEnumerable<string> args, IDictionary<string, string?> environment, TimeSpan timeout, Action<Process>? whileRunning = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment)
            if (value is null) start.Environment.Remove(key); else start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        whileRunning?.Invoke(process);
        if (!process.WaitForExit(timeout)) { process.Kill(entireProcessTree: true); throw new TimeoutException($"{file} did not finish in {timeout}"); }
        return (process.ExitCode, output.Result, error.Result);
    }

    static string Script(string folder, string name, string body)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, "#!/usr/bin/env bash\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Problem 1: a libtorch folder on LD_LIBRARY_PATH hands its libc10.so to the app's CPU libtorch; every command now stops, not only info.</summary>
    [Fact]
    public void A_cpu_run_that_picks_up_libc10_from_another_folder_stops_with_the_reason()
    {
        using var folder = new TempFolder();
        File.Copy(Path.Combine(AppFolder, "runtimes", "linux-x64", "native", "libc10.so"), Path.Combine(folder.Path, "libc10.so"));
        var (code, _, error) = Start(Path.Combine(AppFolder, "soseg"),
            ["bench", "--model", "unet", "--model-option", "base-width=4", "--size", "32", "--steps", "1", "--warmup", "0", "--device", "cpu"],
            new Dictionary<string, string?> { ["LD_LIBRARY_PATH"] = folder.Path, [NativeLayout.ModeVariable] = null }, TimeSpan.FromMinutes(2));
        Assert.NotEqual(0, code);
        Assert.Contains("more than one folder", error);
        Assert.Contains(folder.Path, error);
        Assert.Contains("LD_LIBRARY_PATH", error);
        Assert.DoesNotContain("   at ", error);
    }

    /// <summary>Problem 3: the loader's own message, as .NET reports it for a libtorch_cuda.so whose libcudart.so.13 is absent, becomes one line naming the library.</summary>
    [Fact]
    public void A_libtorch_whose_cuda_runtime_is_missing_is_named_in_the_error()
    {
        const string loader = "Unable to load shared library '/x/torch/lib/libtorch_cuda.so' or one of its dependencies. In order to help diagnose " +
                              "loading problems, consider using a tool like strace. If you're using glibc, consider setting the LD_DEBUG environment variable: \n" +
                              "libcudart.so.13: cannot open shared object file: No such file or directory\n";
        string message = LibtorchProbe.Explain("/x/torch/lib/libtorch_cuda.so", loader);
        Assert.Contains("needs libcudart.so.13", message);
        Assert.DoesNotContain("\n", message);

        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "libtorch_cuda.so"), "not a library");
        var damaged = Assert.Throws<DeviceUnavailableException>(() => LibtorchProbe.EnsureLoadable(folder.Path));
        Assert.Contains("libtorch_cuda.so cannot be loaded", damaged.Message);
        using var empty = new TempFolder();
        Assert.Contains("neither libtorch_cuda.so nor libtorch_cpu.so", Assert.Throws<DeviceUnavailableException>(() => LibtorchProbe.EnsureLoadable(empty.Path)).Message);
    }

    /// <summary>Problem 4: SIGTERM to the parent alone reaches the child that would run on the GPU, and the parent waits for it.</summary>
    [Fact]
    public void Sigterm_to_the_parent_reaches_the_cuda_child()
    {
        using var folder = new TempFolder();
        string libtorch = Directory.CreateDirectory(Path.Combine(folder.Path, "torch", "lib")).FullName;
        foreach (var name in new[] { "libtorch_cuda.so", "libtorch_cpu.so", "libc10.so" }) File.WriteAllText(Path.Combine(libtorch, name), "");
        string childPid = Path.Combine(folder.Path, "child.pid");
        string childGot = Path.Combine(folder.Path, "child.signal");
        // Stands in for the dotnet host that would run the CUDA child: records its pid and the signal it gets.
        string host = Script(folder.Path, "dotnet",
            $"trap 'echo TERM > {childGot}; exit 143' TERM\necho $$ > {childPid}.tmp && mv {childPid}.tmp {childPid}\nfor i in $(seq 600); do sleep 0.1; done\nexit 9");
        var (code, _, _) = Start(Path.Combine(AppFolder, "soseg"), ["bench", "--model", "unet", "--device", "cuda"],
            new Dictionary<string, string?>
            {
                ["DOTNET_HOST_PATH"] = host, [LibtorchLocator.EnvironmentVariable] = libtorch, [NativeLayout.ModeVariable] = null,
                ["XDG_CACHE_HOME"] = Path.Combine(folder.Path, "cache"),
            },
            TimeSpan.FromMinutes(2),
            parent =>
            {
                var clock = Stopwatch.StartNew();
                while (!File.Exists(childPid) && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(50);
                Assert.True(File.Exists(childPid), "the child never started");
                Process.Start("kill", ["-TERM", parent.Id.ToString()])!.WaitForExit();
            });
        Assert.True(File.Exists(childGot), "the child did not get SIGTERM");
        Assert.Equal(143, code);
    }

    /// <summary>Problem 6: NVML figures follow CUDA's numbering (CUDA_VISIBLE_DEVICES), and a MIG instance gets none.</summary>
    [Theory]
    [InlineData(null, 1, "Physical(1)")]
    [InlineData("2,0", 0, "Physical(2)")]
    [InlineData("2,0", 1, "Physical(0)")]
    [InlineData("2,0", 2, "Hidden")]
    [InlineData("", 0, "Hidden")]
    [InlineData("3,x,1", 1, "Hidden")]
    [InlineData("GPU-8f2e,1", 0, "ByUuid(GPU-8f2e)")]
    [InlineData("MIG-4b1f7c", 0, "MigInstance(MIG-4b1f7c)")]
    public void Cuda_device_numbers_map_to_nvml_devices(string? visible, int cudaIndex, string expected)
    {
        string text = GpuInfo.MapCudaDevice(visible, cudaIndex) switch
        {
            VisibleDevice.Physical p => $"Physical({p.Index})",
            VisibleDevice.ByUuid u => $"ByUuid({u.Uuid})",
            VisibleDevice.MigInstance m => $"MigInstance({m.Id})",
            _ => "Hidden",
        };
        Assert.Equal(expected, text);
    }

    /// <summary>Problem 7: copies of other app builds not used for two weeks are deleted; the current and recent ones stay.</summary>
    [Fact]
    public void Old_app_copies_in_the_cache_are_pruned()
    {
        using var folder = new TempFolder();
        string Make(string name, double ageDays)
        {
            string path = Directory.CreateDirectory(Path.Combine(folder.Path, name)).FullName;
            File.WriteAllText(Path.Combine(path, "soseg.dll"), "x");
            Directory.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddDays(-ageDays));
            return path;
        }
        string current = Make("current", 40), recent = Make("recent", 3), old = Make("old", 30);
        NativeLayout.PruneOldLayouts(folder.Path, current, TimeSpan.FromDays(14));
        Assert.True(Directory.Exists(current));
        Assert.True(Directory.Exists(recent));
        Assert.False(Directory.Exists(old));
    }

    /// <summary>Problem 8: a python that hangs (before or after printing) costs the timeout, not forever.</summary>
    [Theory]
    [InlineData("sleep 120")]
    [InlineData("echo /somewhere/torch; sleep 120")]
    public void A_hanging_python_probe_gives_up_at_its_timeout(string body)
    {
        using var folder = new TempFolder();
        string python = Script(folder.Path, "python3", body);
        // Written before the first probe runs, so no process forked meanwhile still holds it open for writing (ETXTBSY).
        string answering = Script(folder.Path, "python-ok", "echo /opt/torch");
        var clock = Stopwatch.StartNew();
        Assert.Null(LibtorchLocator.AskPython(python, "print(1)", TimeSpan.FromSeconds(1)));
        // Not a speed check: waiting for the script would take its whole 120 s sleep.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed.TotalSeconds:0.0} s");
        // A python that answers is read in full; the timeout is only an upper bound, so a busy machine cannot fail this.
        Assert.Equal("/opt/torch", LibtorchLocator.AskPython(answering, "print(1)", TimeSpan.FromSeconds(60)));
    }
}
