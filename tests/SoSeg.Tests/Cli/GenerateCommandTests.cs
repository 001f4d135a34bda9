using SoSeg.Cli;
using SoSeg.Data;

namespace SoSeg.Tests.Cli;

public sealed class GenerateCommandTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), $"soseg-generate-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.RunSoseg(args);

    [Fact]
    public void Generate_writes_a_dataset_and_summarises_it()
    {
        var (code, output, error) = Run("generate", "sperm", _folder, "--count", "5", "--seed", "2", "--no-progress");
        Assert.True(code == 0, error);
        Assert.Contains("SyntheticSperm", output);
        Assert.Contains("4 cases for training", output);
        Assert.Contains("1 case for test", output);
        Assert.Contains("background 0, normal 1, abnormal 2", output);
        Assert.Contains("generate sperm 100.0%", output);
        var manifest = DatasetManifest.Read(Path.Combine(_folder, "dataset.json"));
        Assert.Equal(4, manifest.NumTraining);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(_folder, "labelsTr")).Length);
    }

    public static IEnumerable<object[]> Kinds => SoSeg.Data.Synthetic.SyntheticGenerators.Kinds.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_kind_generates_through_the_command_into_a_dataset_the_loaders_open(string kind)
    {
        var (code, output, error) = Run("generate", kind, _folder, "--count", "2", "--seed", "1", "--no-progress");
        Assert.True(code == 0, error + output);
        var dataset = SoSeg.Data.Datasets.SegmentationDataset.Open(_folder);
        Assert.True(dataset.NumClasses >= 2);
        Assert.NotEmpty(dataset.Items(SoSeg.Data.Datasets.DatasetSubset.Train));
        // A second generation into the now SoSeg-made dataset folder needs --force.
        (code, _, error) = Run("generate", kind, _folder, "--count", "2", "--no-progress");
        Assert.NotEqual(0, code);
        Assert.Contains("--force", error);
    }

    [Fact]
    public void A_non_empty_folder_is_refused_unless_forced_and_force_replaces_only_the_dataset()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "imagesTr"));
        File.WriteAllText(Path.Combine(_folder, "imagesTr", "stale_0000.png"), "old");
        File.WriteAllText(Path.Combine(_folder, "notes.txt"), "keep me");

        var (code, _, error) = Run("generate", "polyp", _folder, "--count", "2");
        Assert.Equal(1, code);
        Assert.Contains("not empty", error);
        Assert.Contains("--force", error);

        (code, _, error) = Run("generate", "polyp", _folder, "--count", "2", "--force", "--no-progress");
        Assert.True(code == 0, error);
        Assert.False(File.Exists(Path.Combine(_folder, "imagesTr", "stale_0000.png")));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(_folder, "notes.txt")));
        Assert.Equal(2, DatasetManifest.Read(Path.Combine(_folder, "dataset.json")).NumTraining);
    }

    [Fact]
    public void Unknown_kinds_and_bad_counts_are_refused()
    {
        var (code, _, error) = Run("generate", "retina", _folder);
        Assert.NotEqual(0, code);
        Assert.Contains("retina", error);
        (code, _, error) = Run("generate", "sperm", _folder, "--count", "0");
        Assert.Equal(1, code);
        Assert.Contains("--count", error);
        Assert.False(Directory.Exists(_folder));
    }
}
