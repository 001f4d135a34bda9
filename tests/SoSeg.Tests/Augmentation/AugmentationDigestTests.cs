using System.Security.Cryptography;
using SoSeg.Augmentation;
using SoSeg.Data;
using SoSeg.Runtime;
using SoSeg.Training;
using static TorchSharp.torch;

namespace SoSeg.Tests.Augmentation;

/// <summary>
/// Guards the default random stream: digests of augmented batches for fixed seeds, recorded once from the
/// pipeline as it was before augmentations became registered steps. A change in any draw, its order or a
/// pixel of the result changes a digest.
/// </summary>
public class AugmentationDigestTests
{
    static readonly Device Cpu = TorchRuntime.Resolve(DeviceSpec.Cpu);

    static SegmentationSample Noise(string id, int channels, int height, int width, int seed)
    {
        var random = new Random(seed);
        var pixels = Enumerable.Range(0, channels * height * width).Select(_ => (float)random.NextDouble()).ToArray();
        var labels = Enumerable.Range(0, height * width).Select(i => (byte)((i / width / 4 + i % width / 6) % 3)).ToArray();
        return new SegmentationSample
        {
            Id = id, Channels = channels, Height = height, Width = width, Image = pixels, Mask = labels,
            Origin = new SampleOrigin($"{id}.png", $"{id}_mask.png"),
        };
    }

    /// <summary>SHA-256 (first 16 hex digits) over three successive batches from one generator.</summary>
    static string Digest(AugmentationOptions options, int channels, ulong seed)
    {
        var samples = new[] { Noise("a", channels, 40, 52, 1), Noise("b", channels, 23, 19, 2), Noise("c", channels, 64, 33, 3) };
        var pipeline = new AugmentationPipeline(options);
        using var generator = new Generator(seed, CPU);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int batch = 0; batch < 3; batch++)
        {
            using var scope = NewDisposeScope();
            var (images, masks) = pipeline.Apply(samples, Cpu, generator);
            hash.AppendData(images.contiguous().bytes);
            hash.AppendData(masks.contiguous().bytes);
        }
        return Convert.ToHexString(hash.GetHashAndReset())[..16];
    }

    static AugmentationOptions Recipe(string scaleMode, bool augment = true, bool elastic = false, double oversample = 0) =>
        ScaleModes.Parse(scaleMode).ApplyTo(AugmentationOptions.Default with { CropSize = 32, ElasticDeformation = elastic, OversampleForeground = oversample })
            is var recipe && augment ? recipe : recipe.WithoutTransforms();

    public static TheoryData<string, int, ulong, string> Cases() => new()
    {
        { "crop", 3, 0, "9CB90E877C98FDF4" },
        { "crop", 3, 7, "7E082B19243405E7" },
        { "crop", 1, 0, "789AE8AF8D3FDBDB" },
        { "crop", 1, 11, "415CA25CAEA375B2" },
        { "image", 3, 5, "699A9533F5C26995" },
        { "image", 1, 5, "78CC725D5FE407D0" },
        { "off", 3, 3, "A153E174F943ED79" },
        { "off", 1, 3, "46315245A5C040DF" },
        { "no-augment", 3, 2, "9AFC95CC48094ED8" },
        { "no-augment", 1, 2, "3A02E6C4F9B03343" },
        { "elastic", 3, 9, "0D506AA8BA39960E" },
        { "elastic", 1, 9, "CF5DAFD6EE0E3A23" },
        // Re-recorded when windows on objects were kept inside images larger than the crop (ForegroundCrops.WindowStart).
        { "oversample", 1, 4, "77C6CBB1DBB80144" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Batches_match_the_recorded_digest(string recipe, int channels, ulong seed, string expected)
    {
        var options = recipe switch
        {
            "no-augment" => Recipe("crop", augment: false),
            "elastic" => Recipe("crop", elastic: true) with { ElasticGridSpacing = 8 },
            "oversample" => Recipe("crop", oversample: 0.5),
            _ => Recipe(recipe),
        };
        Assert.Equal(expected, Digest(options, channels, seed));
    }
}
