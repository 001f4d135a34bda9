namespace SoSeg.Tests.TestData;

/// <summary>
/// Real files from Debian packages (python3-nibabel, insighttoolkit5-examples, python3-skimage), extracted
/// into the repository's .testdata/ by scripts/fetch-test-data.sh, which .ci/run calls before the tests. The
/// tests never fetch them: a test that needs them and finds them missing fails saying how to get them.
/// </summary>
public sealed class DebianTestData
{
    static readonly Lazy<DebianTestData> Shared = new(() => new DebianTestData(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The extracted files; throws a clear error when they were not fetched.</summary>
    public static DebianTestData Instance => Shared.Value;

    DebianTestData()
    {
        RepositoryRoot = FindRepositoryRoot();
        string target = Path.Combine(RepositoryRoot, ".testdata");
        string[] markers = ["python3-nibabel", "insighttoolkit5-examples", "python3-skimage"];
        var missing = markers.Where(m => !File.Exists(Path.Combine(target, $".extracted-{m}"))).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException(
                $"This test reads real files from Debian packages, and {target} lacks {string.Join(", ", missing)}: run scripts/fetch-test-data.sh first (.ci/run does).");
        string extracted = Path.Combine(target, "root");
        NibabelData = Path.Combine(extracted, "usr/lib/python3/dist-packages/nibabel/tests/data");
        ItkData = Path.Combine(extracted, "usr/share/doc/insighttoolkit5-examples/examples/Data");
        SkimageData = Path.Combine(extracted, "usr/lib/python3/dist-packages/skimage/data");
        foreach (string folder in (string[])[NibabelData, ItkData, SkimageData])
            if (!Directory.Exists(folder)) throw new InvalidOperationException($"{folder} is missing: run scripts/fetch-test-data.sh again (delete {target} first).");
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
}
