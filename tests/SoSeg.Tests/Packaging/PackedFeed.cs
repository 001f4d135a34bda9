using System.Diagnostics;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Packaging;

/// <summary>
/// The packages `dotnet pack` makes from this build (SoSeg, SoSeg.Cpu and the SoSeg.Cli tool) in a temporary feed,
/// with a NuGet.config that adds that feed to nuget.org. Packed once for the tests that share it. Each run gets its
/// own prerelease version, so the global packages folder never serves a package packed by an earlier run; those
/// versions are removed from it again afterwards.
/// </summary>
public sealed class PackedFeed : IDisposable
{
    readonly TempFolder _root = new();

    public PackedFeed()
    {
        Version = "0.1.0-test" + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + Environment.ProcessId;
        Feed = Directory.CreateDirectory(Path.Combine(_root.Path, "feed")).FullName;
        File.WriteAllText(Path.Combine(_root.Path, "NuGet.Config"),
            $"""
             <?xml version="1.0" encoding="utf-8"?>
             <configuration>
               <packageSources>
                 <clear />
                 <add key="packed" value="{Feed}" />
                 <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
               </packageSources>
             </configuration>
             """);
        // Packs what this test run was built from (its own configuration), without building again.
        var (code, output) = Run("dotnet", ["pack", Path.Combine(RepositoryRoot, "SoSeg.slnx"), "--no-build", "-c", Configuration,
                                            "-o", Feed, $"-p:PackageVersion={Version}", "--nologo", "-v", "q"], RepositoryRoot);
        if (code != 0) throw new InvalidOperationException("dotnet pack failed:\n" + output);
    }

    /// <summary>Version of every package in the feed.</summary>
    public string Version { get; }

    /// <summary>Folder holding the .nupkg files.</summary>
    public string Feed { get; }

    /// <summary>A folder for a test's projects and installs: below the NuGet.Config that names the feed.</summary>
    public string Root => _root.Path;

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The configuration the tests were built in (Release or Debug), from their own output path.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Replace('\\', '/').Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";

    /// <summary>The CPU libtorch of the libtorch-cpu-linux-x64 package in the global packages folder.</summary>
    public static string NuGetCpuLibtorch
    {
        get
        {
            string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
                ? custom : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            return Directory.GetDirectories(Path.Combine(packages, "libtorch-cpu-linux-x64"))
                .Select(v => Path.Combine(v, "runtimes", "linux-x64", "native"))
                .First(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")));
        }
    }

    public static (int Code, string Output) Run(string file, IEnumerable<string> arguments, string workingDirectory,
                                                IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        // A test host's MSBuild settings must not leak into the builds it starts.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath" }) start.Environment.Remove(name);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8))) { process.Kill(entireProcessTree: true); throw new TimeoutException($"{file} {string.Join(' ', arguments)}"); }
        return (process.ExitCode, stdout + stderr.Result);
    }

    static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SoSeg.slnx"))) return dir.FullName;
        throw new InvalidOperationException("SoSeg.slnx not found above the test binaries.");
    }

    public void Dispose()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "soseg", "soseg.cpu", "soseg.cli" })
        {
            string folder = Path.Combine(packages, id, Version.ToLowerInvariant());
            try
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                string parent = Path.GetDirectoryName(folder)!;
                if (Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any()) Directory.Delete(parent);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        _root.Dispose();
    }
}
