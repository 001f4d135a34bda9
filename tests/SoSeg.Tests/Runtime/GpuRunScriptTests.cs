using System.Diagnostics;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Runtime;

/// <summary>scripts/gpu/run.sh with stand-ins: a fake .NET runtime that prints what it was given, fake pythons and torch folders.</summary>
public sealed class GpuRunScriptTests : IDisposable
{
    readonly TempFolder _folder = new();
    readonly string _pack;

    public GpuRunScriptTests()
    {
        string repo = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repo, "scripts", "gpu", "run.sh"))) repo = Path.GetDirectoryName(repo) ?? throw new InvalidOperationException("scripts/gpu/run.sh not found above the test folder");
        _pack = Directory.CreateDirectory(Path.Combine(_folder.Path, "pack")).FullName;
        File.Copy(Path.Combine(repo, "scripts", "gpu", "run.sh"), Path.Combine(_pack, "run.sh"));
        Directory.CreateDirectory(Path.Combine(_pack, "app"));
        File.WriteAllText(Path.Combine(_pack, "app", "soseg.dll"), "");
        string runtime = Directory.CreateDirectory(Path.Combine(_folder.Path, "runtime-src")).FullName;
        Script(runtime, "dotnet", "echo \"LIB=${SOSEG_LIBTORCH:-} LD=${LD_LIBRARY_PATH:-} ARGS=$*\"");
        Bash($"tar -C {runtime} -cJf {_pack}/dotnet-runtime.tar.xz dotnet");
    }

    public void Dispose() => _folder.Dispose();

    static void Script(string folder, string name, string body)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, "#!/usr/bin/env bash\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    static void Bash(string command) => Process.Start("bash", ["-c", command])!.WaitForExit();

    /// <summary>A torch package folder (torch/lib inside), CUDA build or CPU-only, and a python that reports it.</summary>
    string Torch(string name, bool cuda)
    {
        string lib = Directory.CreateDirectory(Path.Combine(_folder.Path, name, "torch", "lib")).FullName;
        File.WriteAllText(Path.Combine(lib, "libtorch_cpu.so"), "");
        if (cuda) File.WriteAllText(Path.Combine(lib, "libtorch_cuda.so"), "");
        Script(_folder.Path, name + "-python", $"echo {lib}");
        return lib;
    }

    (int Code, string Out, string Err) Run(Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(_pack, "run.sh")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["SOSEG_DOTNET_DIR"] = Path.Combine(_folder.Path, "dotnet");
        start.Environment.Remove("SOSEG_LIBTORCH");
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60))) { process.Kill(true); throw new TimeoutException("run.sh hung"); }
        return (process.ExitCode, output.Result, error.Result);
    }

    string Python(string name) => Path.Combine(_folder.Path, name + "-python");

    [Fact]
    public void A_cuda_torch_wins_over_a_cpu_only_torch_found_first()
    {
        Torch("cpu", cuda: false);
        string cudaLib = Torch("cuda", cuda: true);
        var (code, output, error) = Run(new() { ["SOSEG_PYTHONS"] = $"{Python("cpu")} {Python("cuda")}" }, "info", "--device", "cuda");
        Assert.True(code == 0, error);
        Assert.Contains($"LIB={cudaLib} LD={cudaLib}", output);
        Assert.Contains("ARGS=", output);
        Assert.Contains("info --device cuda", output);
    }

    [Fact]
    public void Only_a_cpu_only_torch_is_used_with_a_warning()
    {
        string cpuLib = Torch("cpu", cuda: false);
        var (code, output, error) = Run(new() { ["SOSEG_PYTHONS"] = Python("cpu") }, "info");
        Assert.Equal(0, code);
        Assert.Contains($"LIB={cpuLib}", output);
        Assert.Contains("CPU-only torch", error);
    }

    [Fact]
    public void Soseg_libtorch_may_name_the_torch_package_folder()
    {
        string lib = Torch("cuda", cuda: true);
        var (code, output, _) = Run(new() { ["SOSEG_LIBTORCH"] = Path.GetDirectoryName(lib)!, ["SOSEG_PYTHONS"] = "no-such-python" }, "info");
        Assert.Equal(0, code);
        Assert.Contains($"LIB={lib} ", output);
    }

    [Fact]
    public void Help_needs_no_libtorch_and_anything_else_says_what_to_set()
    {
        var help = Run(new() { ["SOSEG_PYTHONS"] = "no-such-python" }, "--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("soseg.dll --help", help.Out);
        var train = Run(new() { ["SOSEG_PYTHONS"] = "no-such-python" }, "train", "--help");
        Assert.Equal(0, train.Code);
        var work = Run(new() { ["SOSEG_PYTHONS"] = "no-such-python" }, "info");
        Assert.Equal(3, work.Code);
        Assert.Contains("set SOSEG_LIBTORCH", work.Err);
    }

    [Fact]
    public void An_interrupted_unpack_is_redone_and_simultaneous_first_runs_share_one()
    {
        Torch("cuda", cuda: true);
        // What an interrupted first unpack leaves: the folder, some files, no completion mark.
        string runtime = Directory.CreateDirectory(Path.Combine(_folder.Path, "dotnet")).FullName;
        File.WriteAllText(Path.Combine(runtime, "dotnet"), "#!/usr/bin/env bash\nexit 7\n");
        var repaired = Run(new() { ["SOSEG_PYTHONS"] = Python("cuda") }, "info");
        Assert.True(repaired.Code == 0, repaired.Err);

        Directory.Delete(runtime, recursive: true);
        var runs = Enumerable.Range(0, 4).Select(_ => Task.Run(() => Run(new() { ["SOSEG_PYTHONS"] = Python("cuda") }, "info"))).ToArray();
        Task.WaitAll(runs);
        Assert.All(runs, r => Assert.True(r.Result.Code == 0, r.Result.Err));
        Assert.True(File.Exists(Path.Combine(runtime, ".complete")));
    }
}
