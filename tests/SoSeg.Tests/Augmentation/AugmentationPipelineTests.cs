using SoSeg.Augmentation;
using SoSeg.Data;
using SoSeg.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Tests.Augmentation;

public class AugmentationPipelineTests
{
    static readonly Device Cpu = TorchRuntime.Resolve(DeviceSpec.Cpu);

    /// <summary>A sample whose pixel values come from functions of (channel, y, x) and (y, x).</summary>
    static SegmentationSample Sample(string id, int channels, int height, int width, Func<int, int, int, float> image, Func<int, int, byte> mask)
    {
        var pixels = new float[channels * height * width];
        var labels = new byte[height * width];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    pixels[(c * height + y) * width + x] = image(c, y, x);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) labels[y * width + x] = mask(y, x);
        return new SegmentationSample
        {
            Id = id, Channels = channels, Height = height, Width = width, Image = pixels, Mask = labels,
            Origin = new SampleOrigin($"{id}.png", $"{id}_mask.png"),
        };
    }

    /// <summary>Noise image with a blocky three-class mask (values 0, 3, 7).</summary>
    static SegmentationSample Textured(string id, int channels, int height, int width, int seed)
    {
        var random = new Random(seed);
        var noise = Enumerable.Range(0, channels * height * width).Select(_ => (float)random.NextDouble()).ToArray();
        return Sample(id, channels, height, width, (c, y, x) => noise[(c * height + y) * width + x],
                      (y, x) => ((y / 5 + x / 7) % 3) switch { 0 => 0, 1 => 3, _ => 7 });
    }

    /// <summary>A bright off-centre square (value 1, label 1) on a dark background (value 0.1, label 0).</summary>
    static SegmentationSample Square(string id, int size, int left, int top, int side) =>
        Sample(id, 1, size, size,
               (_, y, x) => x >= left && x < left + side && y >= top && y < top + side ? 1f : 0.1f,
               (y, x) => (byte)(x >= left && x < left + side && y >= top && y < top + side ? 1 : 0));

    static Generator Seeded(ulong seed) => new(seed, CPU);

    static float[] Floats(Tensor t) => t.contiguous().data<float>().ToArray();
    static long[] Longs(Tensor t) => t.contiguous().data<long>().ToArray();

    static readonly AugmentationOptions Everything = AugmentationOptions.Default with
    {
        CropSize = 32, ElasticDeformation = true, ElasticProbability = 1, ElasticGridSpacing = 8, ElasticAlpha = 2,
    };

    [Fact]
    public void Same_seed_gives_the_same_batch_and_another_seed_a_different_one()
    {
        var samples = new[] { Textured("a", 3, 40, 50, 1), Textured("b", 3, 24, 20, 2), Textured("c", 3, 33, 64, 3) };
        var pipeline = new AugmentationPipeline(Everything);
        using var scope = NewDisposeScope();
        var (images1, masks1) = pipeline.Apply(samples, Cpu, Seeded(7));
        var (images2, masks2) = pipeline.Apply(samples, Cpu, Seeded(7));
        var (images3, masks3) = pipeline.Apply(samples, Cpu, Seeded(8));
        Assert.Equal(Floats(images1), Floats(images2));
        Assert.Equal(Longs(masks1), Longs(masks2));
        Assert.NotEqual(Floats(images1), Floats(images3));
    }

    [Fact]
    public void Output_has_the_crop_size_for_any_input_size()
    {
        var samples = new[] { Textured("small", 3, 10, 12, 1), Textured("wide", 3, 20, 90, 2), Textured("tall", 3, 70, 16, 3) };
        foreach (var options in new[] { Everything, AugmentationOptions.CropOnly with { CropSize = 32 } })
        {
            using var scope = NewDisposeScope();
            var (images, masks) = new AugmentationPipeline(options).Apply(samples, Cpu, Seeded(1));
            Assert.Equal(new long[] { 3, 3, 32, 32 }, images.shape);
            Assert.Equal(new long[] { 3, 32, 32 }, masks.shape);
            Assert.Equal(ScalarType.Float32, images.dtype);
            Assert.Equal(ScalarType.Int64, masks.dtype);
        }
    }

    [Fact]
    public void Mask_values_stay_the_input_labels_plus_ignore_and_the_image_is_zero_where_ignored()
    {
        var samples = Enumerable.Range(0, 4).Select(i => Textured($"s{i}", 3, 30 + 7 * i, 45 - 5 * i, i)).ToArray();
        var pipeline = new AugmentationPipeline(Everything with { MaxRotationDegrees = 30 });
        for (ulong seed = 0; seed < 4; seed++)
        {
            using var scope = NewDisposeScope();
            var (images, masks) = pipeline.Apply(samples, Cpu, Seeded(seed));
            var values = Longs(masks).Distinct().Order().ToArray();
            Assert.Subset(new HashSet<long> { 0, 3, 7, 255 }, values.ToHashSet());
            Assert.Contains(255L, values);           // rotated corners and padding are ignored
            var ignored = (masks == 255).unsqueeze(1).expand_as(images);
            Assert.Equal(0f, images.masked_select(ignored).abs().max().item<float>());
        }
    }

    [Fact]
    public void Flip_mirrors_image_and_mask_exactly()
    {
        var sample = Textured("t", 2, 16, 16, 5);
        var options = AugmentationOptions.CropOnly with { CropSize = 16, HorizontalFlip = true, FlipProbability = 1 };
        using var scope = NewDisposeScope();
        var (images, masks) = new AugmentationPipeline(options).Apply([sample], Cpu, Seeded(3));
        var expectedImage = tensor(sample.Image, [1, 2, 16, 16]).flip(-1);
        var expectedMask = tensor(sample.Mask!.Select(b => (long)b).ToArray(), [1, 16, 16]).flip(-1);
        Assert.Equal(Floats(expectedImage), Floats(images));
        Assert.Equal(Longs(expectedMask), Longs(masks));
    }

    [Fact]
    public void Flip_and_rotation_keep_the_bright_square_under_its_mask()
    {
        var sample = Square("sq", 48, left: 8, top: 12, side: 14);
        var options = AugmentationOptions.CropOnly with
        {
            CropSize = 48, HorizontalFlip = true, Rotation = true, MaxRotationDegrees = 40, ElasticDeformation = true,
            ElasticProbability = 0.5, ElasticGridSpacing = 16, ElasticAlpha = 1.5,
        };
        var pipeline = new AugmentationPipeline(options);
        int flippedCount = 0;
        for (ulong seed = 0; seed < 6; seed++)
        {
            using var scope = NewDisposeScope();
            var (images, masks) = pipeline.Apply([sample, sample], Cpu, Seeded(seed));
            var image = images.squeeze(1);
            for (int i = 0; i < 2; i++)
            {
                var inside = masks[i] == 1;
                var outside = masks[i] == 0;
                Assert.True(inside.sum().item<long>() > 150, "the square survives");
                Assert.True(image[i].masked_select(inside).mean().item<float>() > 0.85f, "mean under the mask is the bright square");
                Assert.True(image[i].masked_select(outside).mean().item<float>() < 0.2f, "background stays dark");
                // The square starts left of centre; after a flip it is right of centre.
                var columns = inside.nonzero().select(1, 1).to(ScalarType.Float32);
                if (columns.mean().item<float>() > 24) flippedCount++;
            }
        }
        Assert.InRange(flippedCount, 1, 11);
    }

    [Fact]
    public void Smaller_images_are_padded_with_ignore_in_the_mask_and_zero_in_the_image()
    {
        var sample = Sample("small", 1, 10, 12, (_, y, x) => 0.2f + 0.01f * (y + x), (y, x) => (byte)(x < 6 ? 1 : 0));
        using var scope = NewDisposeScope();
        var (images, masks) = new AugmentationPipeline(AugmentationOptions.CropOnly with { CropSize = 16 }).Apply([sample], Cpu, Seeded(11));
        Assert.Equal(16 * 16 - 10 * 12, (masks == 255).sum().item<long>());
        Assert.Equal(60, (masks == 1).sum().item<long>());
        Assert.Equal(sample.Image.Sum(), images.sum().item<float>(), 3);
        Assert.Equal(0f, images.masked_select((masks == 255).unsqueeze(1)).abs().max().item<float>());
    }

    [Fact]
    public void Crop_without_resampling_is_an_exact_window_of_the_input()
    {
        var sample = Textured("big", 1, 40, 50, 9);
        using var scope = NewDisposeScope();
        var (images, masks) = new AugmentationPipeline(AugmentationOptions.CropOnly with { CropSize = 16 }).Apply([sample], Cpu, Seeded(4));
        var output = Floats(images);
        // Find where the crop came from: the first row must match some row segment of the input.
        var full = tensor(sample.Image, [40, 50]);
        bool found = false;
        for (int y = 0; y <= 24 && !found; y++)
            for (int x = 0; x <= 34 && !found; x++)
                found = Floats(full[TensorIndex.Slice(y, y + 16), TensorIndex.Slice(x, x + 16)]).SequenceEqual(output);
        Assert.True(found, "the crop is a 16 x 16 window of the input");
        Assert.DoesNotContain(255L, Longs(masks));
    }

    [Fact]
    public void Doubling_the_scale_doubles_an_objects_side_with_nearest_mask_values()
    {
        var sample = Square("sq", 16, left: 4, top: 6, side: 4);
        var options = AugmentationOptions.CropOnly with { CropSize = 32, RandomScale = true, ScaleRelativeToCrop = false, ScaleMin = 2, ScaleMax = 2 };
        using var scope = NewDisposeScope();
        var (_, masks) = new AugmentationPipeline(options).Apply([sample], Cpu, Seeded(2));
        Assert.Equal(64, (masks == 1).sum().item<long>());
        Assert.Equal(32 * 32 - 64, (masks == 0).sum().item<long>());
    }

    [Fact]
    public void Relative_scale_sets_the_short_side_and_caps_the_long_side()
    {
        var o = AugmentationOptions.CropOnly with { CropSize = 512, RandomScale = true, ScaleMin = 1, ScaleMax = 1 };
        var sample = Textured("hd", 1, 1080, 1350, 1);
        var plan = SamplePlan.Draw([sample], o, Seeded(0))[0];
        Assert.Equal(512.0 / 1080, plan.Scale, 9);   // short side 1080 -> 512
        var wide = Textured("wide", 1, 100, 1000, 1);
        var capped = SamplePlan.Draw([wide], o, Seeded(0))[0];
        Assert.Equal(1024.0 / 1000, capped.Scale, 9); // 5120 px long side would exceed 2 x 512
    }

    [Fact]
    public void Collate_pads_to_the_largest_sample_without_randomness()
    {
        var a = Sample("a", 1, 4, 6, (_, y, x) => 0.5f, (y, x) => 1);
        var b = Sample("b", 1, 5, 3, (_, y, x) => 0.25f, (y, x) => 2) ;
        var unlabelled = new SegmentationSample { Id = "u", Channels = 1, Height = 2, Width = 2, Image = new float[4], Origin = new SampleOrigin("u.png", null) };
        using var scope = NewDisposeScope();
        var (images, masks) = AugmentationPipeline.Collate([a, b, unlabelled], Cpu);
        Assert.Equal(new long[] { 3, 1, 5, 6 }, images.shape);
        Assert.Equal(24, (masks[0] == 1).sum().item<long>());
        Assert.Equal(30 - 24, (masks[0] == 255).sum().item<long>());
        Assert.Equal(15, (masks[1] == 2).sum().item<long>());
        Assert.Equal(30, (masks[2] == 255).sum().item<long>());
        Assert.Equal(0.25f * 15, images[1].sum().item<float>(), 4);
    }

    [Fact]
    public void Bad_batches_are_refused_with_the_sample_named()
    {
        var pipeline = new AugmentationPipeline(AugmentationOptions.Default with { CropSize = 16 });
        var unlabelled = new SegmentationSample { Id = "u7", Channels = 1, Height = 2, Width = 2, Image = new float[4], Origin = new SampleOrigin("u7.png", null) };
        Assert.Contains("u7", Assert.Throws<ArgumentException>(() => pipeline.Apply([unlabelled], Cpu, Seeded(0))).Message);
        var grey = Textured("grey", 1, 8, 8, 1);
        var rgb = Textured("rgb", 3, 8, 8, 1);
        Assert.Contains("channels", Assert.Throws<ArgumentException>(() => pipeline.Apply([grey, rgb], Cpu, Seeded(0))).Message);
        Assert.Throws<ArgumentException>(() => new AugmentationPipeline(AugmentationOptions.Default with { FlipProbability = 1.5 }));
    }

    [Fact]
    public void Blur_kernels_are_normalised_gaussians_and_sigma_zero_is_identity()
    {
        var kernels = BatchedGaussianBlur.Kernels([0, 1.0], radius: 3);
        Assert.Equal(new float[] { 0, 0, 0, 1, 0, 0, 0 }, kernels[..7]);
        // exp(-k^2 / 2) over k = -3..3 sums to 1 + 2 (0.606531 + 0.135335 + 0.011109) = 2.505950.
        Assert.Equal(1 / 2.505950, kernels[7 + 3], 4);
        Assert.Equal(Math.Exp(-0.5) / 2.505950, kernels[7 + 2], 4);
        Assert.Equal(1.0, kernels[7..].Sum(), 5);
        using var scope = NewDisposeScope();
        var images = rand(3, 3, 9, 9);
        var blurred = images.clone();
        BatchedGaussianBlur.ApplyInPlace(blurred, [0, 1.0, 0]);
        Assert.True(allclose(blurred[0], images[0], 0, 0));
        Assert.True(allclose(blurred[2], images[2], 0, 0));
        Assert.True(blurred[1].std().item<float>() < images[1].std().item<float>());
        // Centre pixel of the blurred sample: the separable kernel applied by hand (no border within reach).
        var k = kernels[7..];
        double expected = 0;
        var plane = images[1, 0];
        for (int dy = -3; dy <= 3; dy++)
            for (int dx = -3; dx <= 3; dx++) expected += k[dy + 3] * k[dx + 3] * plane[4 + dy, 4 + dx].item<float>();
        Assert.Equal(expected, blurred[1, 0, 4, 4].item<float>(), 1e-5); // float32 sums: a tolerance, not rounding to 5 places
    }

    [Fact]
    public void Colour_matrix_is_identity_without_distortion_and_grey_without_saturation()
    {
        var identity = PhotometricDistortion.ColourMatrix(1, 0);
        var expected = new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
        for (int i = 0; i < 9; i++) Assert.Equal(expected[i], identity[i], 5);
        var grey = PhotometricDistortion.ColourMatrix(0, 0);
        // Pure red loses its chroma: every channel becomes its luma 0.299.
        for (int row = 0; row < 3; row++) Assert.Equal(0.299f, grey[3 * row], 4);
    }
}
