using SoSeg.Augmentation;
using SoSeg.Data;
using SoSeg.Runtime;
using SoSeg.Training;
using static TorchSharp.torch;

namespace SoSeg.Tests.Augmentation;

public class AugmentationRegistryTests
{
    static readonly Device Cpu = TorchRuntime.Resolve(DeviceSpec.Cpu);

    static SegmentationSample Noise(string id, int channels, int height, int width, int seed)
    {
        var random = new Random(seed);
        return new SegmentationSample
        {
            Id = id, Channels = channels, Height = height, Width = width,
            Image = Enumerable.Range(0, channels * height * width).Select(_ => (float)random.NextDouble()).ToArray(),
            Mask = Enumerable.Range(0, height * width).Select(i => (byte)(i % width / 5 % 2)).ToArray(),
            Origin = new SampleOrigin($"{id}.png", $"{id}_mask.png"),
        };
    }

    static readonly SegmentationSample[] Batch = [Noise("a", 3, 40, 52, 1), Noise("b", 3, 36, 30, 2), Noise("c", 3, 48, 44, 3), Noise("d", 3, 33, 41, 4)];

    static (float[] Images, long[] Masks) Augment(AugmentationOptions options, ulong seed = 3)
    {
        using var generator = new Generator(seed, CPU);
        using var scope = NewDisposeScope();
        var (images, masks) = new AugmentationPipeline(options).Apply(Batch, Cpu, generator);
        return (images.data<float>().ToArray(), masks.data<long>().ToArray());
    }

    static AugmentationOptions With(AugmentationOptions options, string name, double p) =>
        AugmentationRegistry.Apply(options, new Dictionary<string, double> { [name] = p });

    static readonly AugmentationOptions PlainCrop = AugmentationOptions.CropOnly with { CropSize = 24 };

    [Theory]
    [InlineData("flip")]
    [InlineData("blur")]
    [InlineData("photometric")]
    [InlineData("elastic")]
    [InlineData("scale")]
    [InlineData("rotation")]
    public void A_step_at_probability_0_leaves_its_effect_out_and_at_1_puts_it_in(string name)
    {
        var plain = Augment(PlainCrop);
        var off = Augment(With(PlainCrop, name, 0));
        var on = Augment(With(PlainCrop with { ElasticGridSpacing = 8 }, name, 1));
        Assert.Equal(plain.Images, off.Images);
        Assert.Equal(plain.Masks, off.Masks);
        Assert.NotEqual(plain.Images, on.Images);
    }

    [Fact]
    public void Switching_one_step_off_keeps_the_other_steps_draws()
    {
        var recipe = AugmentationOptions.Default with { CropSize = 24 };
        var all = Augment(recipe);
        var noBlur = Augment(With(recipe, "blur", 0));
        var noPhotometric = Augment(With(recipe, "photometric", 0));
        // Blur and colour do not move pixels: the geometry, hence every mask, is the same.
        Assert.Equal(all.Masks, noBlur.Masks);
        Assert.Equal(all.Masks, noPhotometric.Masks);
        Assert.NotEqual(all.Images, noBlur.Images);
        Assert.NotEqual(all.Images, noPhotometric.Images);
    }

    [Fact]
    public void Every_registered_step_is_listed_and_the_default_probabilities_are_the_papers()
    {
        Assert.Equal(["scale", "flip", "rotation", "elastic", "blur", "photometric"], AugmentationRegistry.Names);
        var expected = new Dictionary<string, double> { ["scale"] = 1, ["flip"] = 0.5, ["rotation"] = 1, ["elastic"] = 0, ["blur"] = 0.5, ["photometric"] = 0.5 };
        foreach (var (name, p) in expected)
            Assert.Equal(p, AugmentationRegistry.Get(name).ProbabilityIn(AugmentationOptions.Default));
    }

    [Fact]
    public void An_unknown_name_is_refused_naming_the_setting_and_the_known_names()
    {
        var error = Assert.Throws<ArgumentException>(() => AugmentationRegistry.Apply(AugmentationOptions.Default, new Dictionary<string, double> { ["sharpen"] = 0.5 }));
        Assert.StartsWith("Augmentations ", error.Message);
        Assert.Contains("'sharpen'", error.Message);
        foreach (var name in new[] { "scale", "flip", "rotation", "elastic", "blur", "photometric" }) Assert.Contains(name, error.Message);
        Assert.Contains("Augmentations", SettingError.NamesIn(error));
    }

    [Theory]
    [InlineData("blur", 1.5)]
    [InlineData("flip", -0.1)]
    [InlineData("rotation", 0.5)]
    [InlineData("crop", 0)]
    public void Out_of_range_or_unswitchable_settings_are_refused(string name, double p)
    {
        var error = Assert.Throws<ArgumentException>(() => AugmentationRegistry.Apply(AugmentationOptions.Default, new Dictionary<string, double> { [name] = p }));
        Assert.Contains(name, error.Message);
        Assert.Contains("Augmentations", SettingError.NamesIn(error));
    }

    [Fact]
    public void Probabilities_apply_on_top_of_no_augment()
    {
        var options = AugmentationRegistry.Apply((AugmentationOptions.Default with { CropSize = 24 }).WithoutTransforms(), new Dictionary<string, double> { ["flip"] = 1 });
        Assert.True(options.HorizontalFlip);
        Assert.Equal(1, options.FlipProbability);
        Assert.False(options.GaussianBlur);
        Assert.False(options.RandomScale);
    }
}
