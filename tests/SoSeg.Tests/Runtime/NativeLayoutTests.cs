using System.Diagnostics;
using System.Text.Json;
using SoSeg.Runtime;

namespace SoSeg.Tests.Runtime;

public class NativeLayoutTests
{
    [Theory]
    [InlineData("libtorch_cpu.so", true)]
    [InlineData("libtorch.so", true)]
    [InlineData("libc10.so", true)]
    [InlineData("libgomp-98b21ff3.so.1", true)]
    [InlineData("libLibTorchSharp.so", false)]
    [InlineData("libSkiaSharp.so", false)]
    [InlineData("TorchSharp.dll", false)]
    public void Cpu_libtorch_files_are_recognised(string name, bool isCpuLibtorch) =>
        Assert.Equal(isCpuLibtorch, NativeLayout.IsCpuLibtorchFile(name));

    [Fact]
    public void External_layout_has_no_cpu_libtorch_and_runs_soseg_on_the_libtorch_given_by_LD_LIBRARY_PATH()
    {
        string cache = Path.Combine(Path.GetTempPath(), $"soseg-layout-{Guid.NewGuid():N}");
        try
        {
            string layout = NativeLayout.PrepareExternalLayout(AppContext.BaseDirectory, cache);
            var files = Directory.GetFiles(layout).Select(Path.GetFileName).ToList();
            Assert.DoesNotContain(files, f => NativeLayout.IsCpuLibtorchFile(f!));
            Assert.DoesNotContain(files, f => f!.EndsWith(".deps.json"));
            Assert.Contains("libLibTorchSharp.so", files);
            Assert.Contains("soseg.dll", files);
            var stamp = File.GetLastWriteTimeUtc(Path.Combine(layout, "TorchSharp.dll"));
            Assert.Equal(layout, NativeLayout.PrepareExternalLayout(AppContext.BaseDirectory, cache));
            Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(layout, "TorchSharp.dll")));

            // Stand in for a PyTorch install with the CPU libtorch restored by NuGet, in its own folder.
            string libtorch = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(layout, "soseg.dll"), "info", "--json", "--device", "cpu" }) start.ArgumentList.Add(arg);
            start.Environment["LD_LIBRARY_PATH"] = libtorch;
            start.Environment[NativeLayout.ModeVariable] = "external";
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, error);
            using var json = JsonDocument.Parse(output);
            Assert.Equal(Path.GetFullPath(libtorch), json.RootElement.GetProperty("libtorchFolder").GetString());
            Assert.StartsWith("external", json.RootElement.GetProperty("libtorchSource").GetString());
            var loaded = json.RootElement.GetProperty("loadedNativeFiles").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Contains(loaded, p => p == Path.Combine(layout, "libLibTorchSharp.so"));
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
