using SkiaSharp;
using SoSeg.Data;
using SoSeg.Data.Synthetic;

namespace SoSeg.Tests.Data.Synthetic;

public sealed class SyntheticDatasetWriterTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"soseg-synthetic-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(3, 1)]
    [InlineData(5, 1)]
    [InlineData(10, 2)]
    [InlineData(100, 20)]
    [InlineData(148, 30)]
    public void Twenty_percent_of_the_cases_go_to_test(int count, int test) =>
        Assert.Equal(test, SyntheticDatasetWriter.TestCount(count));

    [Fact]
    public void Case_ids_are_zero_padded_and_case_seeds_differ()
    {
        Assert.Equal("sperm_0007", SyntheticDatasetWriter.CaseId("sperm", 7, 100));
        Assert.Equal("polyp_00042", SyntheticDatasetWriter.CaseId("polyp", 42, 20000));
        var seeds = Enumerable.Range(0, 1000).Select(i => SyntheticDatasetWriter.CaseSeed(1, i))
            .Concat(Enumerable.Range(0, 1000).Select(i => SyntheticDatasetWriter.CaseSeed(2, i))).ToList();
        Assert.Equal(seeds.Count, seeds.Distinct().Count());
    }

    [Fact]
    public void Generate_writes_the_layout_a_readable_manifest_and_the_rendered_pixels()
    {
        var generator = new SpermDatasetGenerator();
        string folder = Path.Combine(_root, "sperm");
        generator.Generate(folder, count: 5, seed: 9);

        var manifest = DatasetManifest.Read(Path.Combine(folder, DatasetManifest.FileName));
        Assert.Equal((4, 1), (manifest.NumTraining, manifest.NumTest));
        Assert.Equal(["grey"], manifest.ChannelNames);
        Assert.Equal([new("background", 0), new("normal", 1), new("abnormal", 2)], manifest.Labels);
        Assert.Equal(".png", manifest.FileEnding);
        Assert.Equal("microscopy", manifest.Modality);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"sperm_000{i}_0000.png"), Names(folder, "imagesTr"));
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"sperm_000{i}.png"), Names(folder, "labelsTr"));
        Assert.Equal(["sperm_0004_0000.png"], Names(folder, "imagesTs"));
        Assert.Equal(["sperm_0004.png"], Names(folder, "labelsTs"));
        Assert.Empty(Directory.EnumerateFiles(folder, "*.tmp", SearchOption.AllDirectories));

        // The PNGs hold exactly what Render gives for the case seed (lossless, grey 8-bit, label values).
        var expected = generator.Render(SyntheticDatasetWriter.CaseSeed(9, 4));
        using var image = SKBitmap.Decode(Path.Combine(folder, "imagesTs", "sperm_0004_0000.png"));
        using var mask = SKBitmap.Decode(Path.Combine(folder, "labelsTs", "sperm_0004.png"));
        Assert.Equal(SKColorType.Gray8, image.ColorType);
        Assert.Equal(SKColorType.Gray8, mask.ColorType);
        Assert.Equal(expected.Image, image.Bytes);
        Assert.Equal(expected.Mask, mask.Bytes);
    }

    [Fact]
    public void Same_seed_writes_the_same_files()
    {
        var generator = new PolypDatasetGenerator();
        generator.Generate(Path.Combine(_root, "a"), count: 3, seed: 4);
        generator.Generate(Path.Combine(_root, "b"), count: 3, seed: 4);
        foreach (string file in Directory.EnumerateFiles(Path.Combine(_root, "a"), "*", SearchOption.AllDirectories))
        {
            string twin = Path.Combine(_root, "b", Path.GetRelativePath(Path.Combine(_root, "a"), file));
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(twin));
        }
        using var rgb = SKBitmap.Decode(Path.Combine(_root, "a", "imagesTr", "polyp_0000_0000.png"));
        var frame = generator.Render(SyntheticDatasetWriter.CaseSeed(4, 0));
        Assert.Equal((frame.Width, frame.Height), (rgb.Width, rgb.Height));
        Assert.Equal(new SKColor(frame.Image[0], frame.Image[1], frame.Image[2]), rgb.GetPixel(0, 0));
        int centre = (frame.Height / 2 * frame.Width + frame.Width / 2) * 3;
        Assert.Equal(new SKColor(frame.Image[centre], frame.Image[centre + 1], frame.Image[centre + 2]), rgb.GetPixel(frame.Width / 2, frame.Height / 2));
    }

    [Fact]
    public void Registry_finds_kinds_case_insensitively_and_names_the_known_ones()
    {
        Assert.Contains("sperm", SyntheticGenerators.Kinds);
        Assert.Contains("polyp", SyntheticGenerators.Kinds);
        Assert.IsType<SpermDatasetGenerator>(SyntheticGenerators.Get("SPERM"));
        var error = Assert.Throws<SoSegException>(() => SyntheticGenerators.Get("retina"));
        Assert.Contains("sperm", error.Message);
        Assert.Contains("retina", error.Message);
        Assert.Equal(SyntheticGenerators.Kinds.Count, SyntheticGenerators.Kinds.Distinct().Count());
    }

    static string[] Names(string folder, string sub) =>
        Directory.GetFiles(Path.Combine(folder, sub)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
}
