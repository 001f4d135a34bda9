using System.Diagnostics;

namespace SoSeg.Tests.TestData;

/// <summary>
/// Real files from Debian packages (python3-nibabel, insighttoolkit5-examples, python3-skimage), extracted
/// into the repository's .testdata/ by scripts/fetch-test-data.sh. The first test that asks runs the script
/// when the folder is missing, so `dotnet test` alone works on a fresh machine.
/// </summary>
public sealed class DebianTestData
{
    static readonly Lazy<DebianTestData> Shared = new(() => new DebianTestData(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The extracted files, fetched on first use.</summary>
    public static DebianTestData Instance => Shared.Value;

    DebianTestData()
    {
        RepositoryRoot = FindRepositoryRoot();
        string target = Path.Combine(RepositoryRoot, ".testdata");
        string[] markers = ["python3-nibabel", "insighttoolkit5-examples", "python3-skimage"];
        if (!markers.All(m => File.Exists(Path.Combine(target, $".extracted-{m}")))) RunFetchScript();
        string extracted = Path.Combine(target, "root");
        NibabelData = Path.Combine(extracted, "usr/lib/python3/dist-packages/nibabel/tests/data");
        ItkData = Path.Combine(extracted, "usr/share/doc/insighttoolkit5-examples/examples/Data");
        SkimageData = Path.Combine(extracted, "usr/lib/python3/dist-packages/skimage/data");
        foreach (string folder in (string[])[NibabelData, ItkData, SkimageData])
            if (!Directory.Exists(folder)) throw new InvalidOperationException($"scripts/fetch-test-data.sh ran but {folder} is missing.");
    }

    public string RepositoryRoot { get; }
    /// <summary>nibabel/tests/data: anatomical.nii (big-endian), example4d.nii.gz, example_nifti2.nii.gz, nifti1.hdr, ...</summary>
    public string NibabelData { get; }
    /// <summary>ITK examples/Data: KmeansTest_T1UCharRaw.nii.gz, BrainProtonDensitySlice.png, VentricleModel.png, ...</summary>
    public string ItkData { get; }
    /// <summary>skimage/data: ihc.png, retina.jpg, palette_color.png, truncated.jpg, ...</summary>
    public string SkimageData { get; }

    public string Nibabel(string name) => Path.Combine(NibabelData, name);
    public string Itk(string name) => Path.Combine(ItkData, name);
    public string Skimage(string name) => Path.Combine(SkimageData, name);

    static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "fetch-test-data.sh")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
                return dir.FullName;
        throw new InvalidOperationException($"No repository root with scripts/fetch-test-data.sh above {AppContext.BaseDirectory}.");
    }

    void RunFetchScript()
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot, "scripts", "fetch-test-data.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("scripts/fetch-test-data.sh took more than 10 minutes.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/fetch-test-data.sh failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
    }
}
