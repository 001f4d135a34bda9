using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;
using SoSeg.Build;
using SoSeg.Tests.TestData;
using Xunit.Abstractions;

namespace SoSeg.Tests.Packaging;

/// <summary>
/// What a .NET user gets from `dotnet pack`: the soseg tool installed with `dotnet tool install --tool-path`, and
/// samples/TrainSegment built against the SoSeg packages, once with SoSeg.Cpu and once with SoSeg alone on a libtorch
/// folder given to TorchRuntime.UseLibtorch. Both need a loadable libLibTorchSharp.so, which on a system whose
/// libstdc++ predates GCC 13 only the shipped patch step makes.
/// </summary>
public partial class PackageTests(PackedFeed feed, ITestOutputHelper log) : IClassFixture<PackedFeed>
{
    /// <summary>Where the system libstdc++ lacks GLIBCXX_3.4.32, a loadable binding is a patched one.</summary>
    static void AssertBindingPatchedWhereNeeded(string binding)
    {
        bool systemHasVersion = ElfVersionPatcher.LibraryProvidesVersion(ElfVersionPatcher.FindSystemLibStdCxx()!, ElfVersionPatcher.Version);
        Assert.Equal(!systemHasVersion, ElfVersionPatcher.IsWeak(binding));
    }

    [Fact]
    public void The_library_package_carries_no_libtorch_and_the_cpu_package_adds_it()
    {
        string library = Nuspec("SoSeg");
        Assert.Contains("id=\"TorchSharp\"", library);
        Assert.DoesNotContain("id=\"libtorch", library);
        string cpu = Nuspec("SoSeg.Cpu");
        Assert.Contains($"id=\"SoSeg\" version=\"{feed.Version}\"", cpu);
        Assert.Contains("id=\"libtorch-cpu-linux-x64\"", cpu);
        using var package = ZipFile.OpenRead(Path.Combine(feed.Feed, $"SoSeg.{feed.Version}.nupkg"));
        Assert.Contains(package.Entries, e => e.FullName == "buildTransitive/SoSeg.targets");
        Assert.DoesNotContain(package.Entries, e => e.FullName.EndsWith(".so", StringComparison.Ordinal));
    }

    string Nuspec(string id)
    {
        using var package = ZipFile.OpenRead(Path.Combine(feed.Feed, $"{id}.{feed.Version}.nupkg"));
        using var reader = new StreamReader(package.GetEntry(id + ".nuspec")!.Open());
        return reader.ReadToEnd();
    }

    [Fact]
    public void The_packed_soseg_tool_installs_with_dotnet_tool_install_and_runs_on_its_own_libtorch()
    {
        string tools = Path.Combine(feed.Root, "tools");
        var (code, output) = PackedFeed.Run("dotnet", ["tool", "install", "SoSeg.Cli", "--version", feed.Version, "--tool-path", tools,
                                                       "--configfile", Path.Combine(feed.Root, "NuGet.Config")], feed.Root);
        Assert.True(code == 0, output);

        var (infoCode, info) = PackedFeed.Run(Path.Combine(tools, "soseg"), ["info", "--device", "cpu"], feed.Root);
        log.WriteLine(info);
        Assert.True(infoCode == 0, info);
        AssertBindingPatchedWhereNeeded(Directory.GetFiles(Path.Combine(tools, ".store"), "libLibTorchSharp.so", SearchOption.AllDirectories).Single());
        Assert.Matches(@"SoSeg\s+0\.1\.0", info);
        Assert.Contains("device          cpu (asked: cpu)", info);
        // libtorch and the (patched) binding load from the installed tool, not from this repository's build.
        var loaded = info.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('/')).ToList();
        Assert.Contains(loaded, l => l.EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal) && l.StartsWith(tools, StringComparison.Ordinal));
        Assert.Contains(loaded, l => l.EndsWith("/libtorch_cpu.so", StringComparison.Ordinal) && l.StartsWith(tools, StringComparison.Ordinal));
    }

    [Fact]
    public void The_sample_trains_predicts_and_prints_dice_on_the_cpu_package_and_on_a_libtorch_folder_it_names()
    {
        string data = TinySpotDataset.Write(Path.Combine(feed.Root, "data"), train: 6, test: 2, size: 48);
        string nugetLibtorch = PackedFeed.NuGetCpuLibtorch;

        // 1. SoSeg.Cpu: the CPU libtorch comes with the package and loads from the app folder.
        string cpuApp = Build("cpu", cpuLibtorch: true);
        Assert.True(File.Exists(Path.Combine(cpuApp, "runtimes", "linux-x64", "native", "libtorch_cpu.so")));
        var cpu = RunSample(cpuApp, data, Path.Combine(feed.Root, "run-cpu"));
        AssertTrainedAndScored(cpu, Path.Combine(feed.Root, "run-cpu"), Path.Combine(cpuApp, "runtimes", "linux-x64", "native"));

        // 2. SoSeg alone: no libtorch in the app folder; TorchRuntime.UseLibtorch points at the NuGet CPU libtorch.
        string bareApp = Build("bare", cpuLibtorch: false);
        Assert.Empty(Directory.GetFiles(bareApp, "libtorch*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(bareApp, "libc10*", SearchOption.AllDirectories));
        var bare = RunSample(bareApp, data, Path.Combine(feed.Root, "run-bare"), nugetLibtorch);
        AssertTrainedAndScored(bare, Path.Combine(feed.Root, "run-bare"), nugetLibtorch);
        // Same seed, same libtorch build: the same training loss whichever way libtorch was chosen.
        Assert.Equal(EpochLoss().Match(cpu.Output).Groups[1].Value, EpochLoss().Match(bare.Output).Groups[1].Value);

        // Refusals, each before any training: a folder that is no libtorch, no libtorch at all, and an app that carries the CPU libtorch.
        var notLibtorch = RunSample(bareApp, data, Path.Combine(feed.Root, "run-x"), data);
        Assert.NotEqual(0, notLibtorch.Code);
        Assert.Contains("not a libtorch folder, it lacks libc10.so, libtorch_cpu.so, libtorch.so", notLibtorch.Output);
        var unnamed = RunSample(bareApp, data, Path.Combine(feed.Root, "run-z"));
        Assert.NotEqual(0, unnamed.Code);
        Assert.Contains("No libtorch for this process", unnamed.Output);
        Assert.Contains("Reference the SoSeg.Cpu package", unnamed.Output);
        var mixed = RunSample(cpuApp, data, Path.Combine(feed.Root, "run-y"), nugetLibtorch);
        Assert.NotEqual(0, mixed.Code);
        Assert.Contains("carries the CPU libtorch", mixed.Output);
        Assert.DoesNotContain("training sosegformer-s", notLibtorch.Output + unnamed.Output + mixed.Output);
    }

    string Build(string name, bool cpuLibtorch)
    {
        string source = Path.Combine(PackedFeed.RepositoryRoot, "samples", "TrainSegment");
        string project = Directory.CreateDirectory(Path.Combine(feed.Root, "sample-" + name)).FullName;
        foreach (var file in new[] { "Program.cs", "TrainSegment.csproj" }) File.Copy(Path.Combine(source, file), Path.Combine(project, file));
        string output = Path.Combine(project, "out");
        var (code, buildLog) = PackedFeed.Run("dotnet", ["build", project, "-c", "Release", "-o", output, "--nologo", "-v", "q",
                                                    $"-p:SoSegVersion={feed.Version}", $"-p:CpuLibtorch={cpuLibtorch.ToString().ToLowerInvariant()}"], project);
        Assert.True(code == 0, buildLog);
        AssertBindingPatchedWhereNeeded(Path.Combine(output, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"));
        return output;
    }

    (int Code, string Output) RunSample(string app, string data, string run, string? libtorch = null)
    {
        var result = PackedFeed.Run("dotnet", libtorch is null ? [Path.Combine(app, "TrainSegment.dll"), data, run] : [Path.Combine(app, "TrainSegment.dll"), data, run, libtorch], app);
        log.WriteLine($"$ TrainSegment {data} {run} {libtorch}\n{result.Output}");
        return result;
    }

    static void AssertTrainedAndScored((int Code, string Output) result, string run, string libtorchFolder)
    {
        Assert.True(result.Code == 0, result.Output);
        Assert.Contains("training sosegformer-s", result.Output);
        Assert.Contains("1 epochs x 4 steps of 2", result.Output);
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "last.ckpt")), result.Output);
        var line = DiceLine().Match(result.Output);
        Assert.True(line.Success, result.Output);
        double dice = double.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(dice, 0, 1);
        Assert.Equal("cpu", line.Groups[2].Value.ToLowerInvariant());
        Assert.Equal(Path.GetFullPath(libtorchFolder).TrimEnd('/'), line.Groups[3].Value.Trim().TrimEnd('/'));
    }

    [GeneratedRegex(@"epoch 1/1\s+loss ([0-9.]+)")]
    private static partial Regex EpochLoss();

    [GeneratedRegex(@"spot_\d+: Dice ([0-9.]+) on (\w+) with libtorch from (.+)")]
    private static partial Regex DiceLine();
}
