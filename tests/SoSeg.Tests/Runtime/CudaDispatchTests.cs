using System.Diagnostics;
using System.Text.Json;
using SoSeg.Runtime;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Runtime;

/// <summary>
/// The real start-up dispatch of the soseg app, run as its own process with nothing faked but its
/// environment: SOSEG_LIBTORCH names a folder that looks like a CUDA libtorch (the CPU libtorch from NuGet
/// plus an empty libtorch_cuda.so), XDG_CACHE_HOME a fresh cache. The child process then runs on that
/// libtorch, which has no CUDA, so the outcome is the same with or without an NVIDIA driver.
/// </summary>
public class CudaDispatchTests
{
    sealed record Outcome(int Code, string Out, string Err, string Cache);

    static Outcome RunSoseg(TempFolder folder, params string[] args)
    {
        string natives = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        string fakeCuda = Path.Combine(folder.Path, "torch", "lib");
        Directory.CreateDirectory(fakeCuda);
        foreach (var file in Directory.GetFiles(natives).Where(f => NativeLayout.IsCpuLibtorchFile(Path.GetFileName(f))))
            File.CreateSymbolicLink(Path.Combine(fakeCuda, Path.GetFileName(file)), file);
        File.WriteAllBytes(Path.Combine(fakeCuda, "libtorch_cuda.so"), []);
        Assert.True(LibtorchLocator.IsCudaLibtorchFolder(fakeCuda));

        string cache = Path.Combine(folder.Path, "cache");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "soseg.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment[LibtorchLocator.EnvironmentVariable] = fakeCuda;
        start.Environment["XDG_CACHE_HOME"] = cache;
        start.Environment.Remove(NativeLayout.ModeVariable);
        start.Environment.Remove("LD_LIBRARY_PATH");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return new Outcome(process.ExitCode, output.Result, error, cache);
    }

    static string? LayoutFolder(string cache) =>
        Path.Combine(cache, "soseg", "external-libtorch-app") is var root && Directory.Exists(root) ? Directory.GetDirectories(root).SingleOrDefault() : null;

    [Fact]
    public void Device_cuda_runs_the_command_in_a_child_on_the_found_libtorch_which_names_its_broken_cuda_library_in_one_line()
    {
        using var folder = new TempFolder();
        var run = RunSoseg(folder, "info", "--device", "cuda");

        Assert.Equal(1, run.Code);
        // Only the child, set up on the external libtorch, probes its libtorch_cuda.so (here an empty stand-in) before
        // TorchSharp loads it, and says which library failed in one line.
        Assert.True(run.Err.StartsWith($"error: {Path.Combine(folder.Path, "torch", "lib", "libtorch_cuda.so")} cannot be loaded: "), run.Err);
        Assert.Single(run.Err.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", run.Err);
        string layout = LayoutFolder(run.Cache) ?? throw new Xunit.Sdk.XunitException("no app layout was made in XDG_CACHE_HOME");
        Assert.True(File.Exists(Path.Combine(layout, "soseg.dll")));
        Assert.DoesNotContain(Directory.GetFiles(layout), f => NativeLayout.IsCpuLibtorchFile(Path.GetFileName(f)));
    }

    [Fact]
    public void Device_cpu_never_leaves_the_process()
    {
        using var folder = new TempFolder();
        var run = RunSoseg(folder, "info", "--json", "--device", "cpu");

        Assert.True(run.Code == 0, run.Err);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal("cpu", json.RootElement.GetProperty("selectedDevice").GetString());
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native").TrimEnd('/'),
                     json.RootElement.GetProperty("libtorchFolder").GetString()!.TrimEnd('/'));
        Assert.Null(LayoutFolder(run.Cache));
    }

    [Fact]
    public void Device_auto_runs_on_the_cpu_here_or_in_a_child_only_where_an_nvidia_driver_is_present()
    {
        using var folder = new TempFolder();
        var run = RunSoseg(folder, "info", "--json", "--device", "auto");

        Assert.True(run.Code == 0, run.Err);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal("cpu", json.RootElement.GetProperty("selectedDevice").GetString());
        string source = json.RootElement.GetProperty("libtorchSource").GetString()!;
        if (LibtorchLocator.NvidiaDriverPresent())
        {
            Assert.StartsWith("external", source);
            Assert.NotNull(LayoutFolder(run.Cache));
        }
        else
        {
            Assert.DoesNotContain("external", source);
            Assert.Null(LayoutFolder(run.Cache));
        }
    }
}
