using System.Text;
using SoSeg.Runtime;
using SoSeg.Tests.Packaging;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Runtime;

/// <summary>
/// TorchRuntime.UseLibtorch's refusals, each before anything loads. (Its success path, a process whose app folder
/// carries no libtorch, runs in PackageTests through samples/TrainSegment.)
/// </summary>
public class LibtorchChoiceTests
{
    [Fact]
    public void A_folder_chosen_after_libtorch_loaded_from_elsewhere_is_refused_with_both_folders()
    {
        TorchRuntime.Initialise(); // this test process runs on the CPU libtorch of its own app folder
        string loaded = NativeLibraries.LibtorchFolder()!;
        string other = PackedFeed.NuGetCpuLibtorch;
        Assert.NotEqual(Path.GetFullPath(loaded).TrimEnd('/'), Path.GetFullPath(other).TrimEnd('/'));

        var error = Assert.Throws<DeviceUnavailableException>(() => TorchRuntime.UseLibtorch(other));
        Assert.Contains($"already loaded from {loaded}", error.Message);
        Assert.Contains(Path.GetFullPath(other).TrimEnd('/'), error.Message);
        Assert.Contains("before the first tensor", error.Message);
        Assert.Null(LibtorchChoice.Chosen);
    }

    [Fact]
    public void A_folder_that_is_no_libtorch_is_refused_naming_what_it_lacks()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "libc10.so"), "");
        var error = Assert.Throws<DeviceUnavailableException>(() => LibtorchChoice.Use(folder.Path, folder.Path, []));
        Assert.Contains("lacks libtorch_cpu.so, libtorch.so", error.Message);
        var missing = Assert.Throws<DeviceUnavailableException>(() => LibtorchChoice.Use(Path.Combine(folder.Path, "nothing"), folder.Path, []));
        Assert.Contains("libtorch folder not found", missing.Message);
    }

    [Fact]
    public void An_app_folder_carrying_the_cpu_libtorch_is_refused_before_another_libtorch_loads()
    {
        using var app = new TempFolder();
        File.WriteAllText(app.File("runtimes/linux-x64/native/libtorch_cpu.so"), "");
        File.WriteAllText(app.File("runtimes/linux-x64/native/libc10.so"), "");
        var error = Assert.Throws<DeviceUnavailableException>(() => LibtorchChoice.Use(PackedFeed.NuGetCpuLibtorch, app.Path, []));
        Assert.Contains($"The app folder {app.Path} carries the CPU libtorch (libc10.so, libtorch_cpu.so)", error.Message);
        Assert.Contains("without SoSeg.Cpu", error.Message);
    }

    /// <summary>
    /// A real shared library whose dependency is absent: libtorch_global_deps.so with its libgomp dependency renamed
    /// to libcudart.so.13 (same string table, shorter name), standing in for a CUDA libtorch without its CUDA runtime.
    /// </summary>
    [Fact]
    public void A_library_that_cannot_load_is_named_with_the_library_it_needs()
    {
        using var folder = new TempFolder();
        byte[] elf = File.ReadAllBytes(Path.Combine(PackedFeed.NuGetCpuLibtorch, "libtorch_global_deps.so"));
        byte[] from = Encoding.ASCII.GetBytes("libgomp-98b21ff3.so.1\0");
        byte[] to = Encoding.ASCII.GetBytes("libcudart.so.13\0").Concat(new byte[from.Length - 16]).ToArray();
        int at = elf.AsSpan().IndexOf(from);
        Assert.True(at > 0);
        to.CopyTo(elf, at);
        File.WriteAllBytes(Path.Combine(folder.Path, "libc10.so"), elf);
        File.WriteAllText(Path.Combine(folder.Path, "libtorch_cpu.so"), "");
        File.WriteAllText(Path.Combine(folder.Path, "libtorch.so"), "");
        using var app = new TempFolder();

        var error = Assert.Throws<DeviceUnavailableException>(() => LibtorchChoice.Use(folder.Path, app.Path, []));
        Assert.Contains($"{Path.Combine(folder.Path, "libc10.so")} cannot be loaded: it needs libcudart.so.13", error.Message);
        Assert.Null(LibtorchChoice.Chosen);
    }
}
