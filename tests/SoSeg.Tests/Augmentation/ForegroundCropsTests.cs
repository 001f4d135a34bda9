using SoSeg.Augmentation;
using SoSeg.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Tests.Augmentation;

public class ForegroundCropsTests
{
    /// <summary>A grey image whose mask holds the given rectangles (left, top, side, class).</summary>
    static SegmentationSample Sample(int size, params (int Left, int Top, int Side, byte Class)[] objects)
    {
        var mask = new byte[size * size];
        foreach (var (left, top, side, cls) in objects)
            for (int y = top; y < top + side; y++) for (int x = left; x < left + side; x++) mask[y * size + x] = cls;
        return new SegmentationSample
        {
            Id = "s", Channels = 1, Height = size, Width = size, Image = Enumerable.Repeat(0.5f, size * size).ToArray(), Mask = mask,
            Origin = new SampleOrigin("s.png", "s_mask.png"),
        };
    }

    static int CropsWithForeground(AugmentationOptions options, SegmentationSample sample, int batches)
    {
        var pipeline = new AugmentationPipeline(options);
        using var generator = new Generator(7);
        int found = 0;
        for (int b = 0; b < batches; b++)
        {
            using var scope = NewDisposeScope();
            var (_, masks) = pipeline.Apply([sample, sample, sample, sample], CPU, generator);
            for (int i = 0; i < 4; i++) if (masks[i].eq(1).any().item<bool>()) found++;
        }
        return found;
    }

    [Fact]
    public void With_p_1_every_crop_holds_foreground_plain_crops_and_full_augmentation()
    {
        // One pixel in a 200 x 200 image, 32 x 32 crops: a uniform crop holds it 2.6% of the time.
        var onePixel = Sample(200, (150, 20, 1, 1));
        Assert.Equal(200, CropsWithForeground(AugmentationOptions.CropOnly with { CropSize = 32, OversampleForeground = 1 }, onePixel, 50));
        Assert.InRange(CropsWithForeground(AugmentationOptions.CropOnly with { CropSize = 32 }, onePixel, 50), 0, 20);

        // Scale (x0.5-1.5 of the image), flip, rotation, blur, photometric: a 4 x 4 object stays in every crop.
        var small = Sample(200, (150, 20, 4, 1));
        var full = AugmentationOptions.Default with { CropSize = 32, ScaleRelativeToCrop = false, OversampleForeground = 1 };
        Assert.Equal(200, CropsWithForeground(full, small, 50));
        // Elastic deformation may squeeze a 4-pixel object (2 x 2 after halving) between the nearest-sampled mask pixels: nearly every crop.
        Assert.InRange(CropsWithForeground(full with { ElasticDeformation = true, ElasticProbability = 1 }, small, 50), 190, 200);
    }

    [Fact]
    public void A_share_p_of_crops_is_centred_on_objects()
    {
        var onePixel = Sample(200, (150, 20, 1, 1));
        // 400 crops, a third forced onto the pixel (plus the few uniform ones that hit it).
        int found = CropsWithForeground(AugmentationOptions.CropOnly with { CropSize = 32, OversampleForeground = 1.0 / 3 }, onePixel, 100);
        Assert.InRange(found, 400 / 3 - 35, 400 / 3 + 45);
    }

    [Fact]
    public void A_focus_list_decides_which_crops_go_onto_objects_and_of_which_class()
    {
        // A large class-1 square and one class-2 pixel far from it; 32 x 32 crops of a 200 x 200 image.
        var sample = Sample(200, (10, 10, 60, 1), (170, 170, 1, 2));
        var pipeline = new AugmentationPipeline(AugmentationOptions.CropOnly with { CropSize = 32, OversampleForeground = 1 });
        using var generator = new Generator(3);
        int onPixel = 0, uniformOnPixel = 0;
        for (int b = 0; b < 50; b++)
        {
            using var scope = NewDisposeScope();
            var (_, masks) = pipeline.Apply([sample, sample], CPU, generator, [CropFocus.OnClass(2), CropFocus.Uniform]);
            if (masks[0].eq(2).any().item<bool>()) onPixel++;
            if (masks[1].eq(2).any().item<bool>()) uniformOnPixel++;
        }
        // Class 2 in every focused crop (class-balanced draws would give it half); the uniform ones ignore p = 1.
        Assert.Equal(50, onPixel);
        Assert.InRange(uniformOnPixel, 0, 6);
        Assert.Throws<ArgumentException>(() => pipeline.Apply([sample, sample], CPU, generator, [CropFocus.Uniform]));
    }

    [Fact]
    public void Objects_are_drawn_balanced_across_classes_and_sizes_not_by_area()
    {
        // Class 1: one 2 x 2 object (ultra-small, 0.04% of the image) and four 20 x 20 (small, 4%); class 2: one 40 x 40 (16%).
        var sample = Sample(100, (2, 2, 2, 1), (10, 30, 20, 1), (40, 30, 20, 1), (10, 60, 20, 1), (40, 60, 20, 1), (60, 2, 40, 2));
        var random = new Random(5);
        var counts = new Dictionary<string, int>();
        const int draws = 8000;
        for (int i = 0; i < draws; i++)
        {
            var (x, y) = ForegroundCrops.DrawPixel(sample, random.NextDouble(), random.NextDouble(), random.NextDouble(), random.NextDouble())!.Value;
            string key = x < 4 && y < 4 ? "tiny" : x >= 60 ? "large" : "small";
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        // Class first (1/2 each), then the bin within class 1 (1/2 each): by area the tiny object would get 4 of 3204 pixels.
        Assert.InRange(counts["large"] / (double)draws, 0.47, 0.53);
        Assert.InRange(counts["tiny"] / (double)draws, 0.22, 0.28);
        Assert.InRange(counts["small"] / (double)draws, 0.22, 0.28);
        Assert.Null(ForegroundCrops.DrawPixel(Sample(20), 0.5, 0.5, 0.5, 0.5));
    }

    [Fact]
    public void Windows_on_objects_stay_inside_an_image_larger_than_the_crop()
    {
        // Objects in two corners of a 200 x 200 image, 64 x 64 crops always on an object: a window centred on either
        // would reach 32 px past the image, so any padding (mask 255) in a crop means the window left the image.
        var corners = Sample(200, (0, 0, 3, 1), (196, 196, 4, 1));
        var pipeline = new AugmentationPipeline(AugmentationOptions.CropOnly with { CropSize = 64, OversampleForeground = 1 });
        using var generator = new Generator(3);
        for (int b = 0; b < 25; b++)
        {
            using var scope = NewDisposeScope();
            var (_, masks) = pipeline.Apply([corners, corners, corners, corners], CPU, generator);
            Assert.False(masks.eq(255).any().item<bool>(), "a crop on an object reached past the image");
            for (int i = 0; i < 4; i++) Assert.True(masks[i].eq(1).any().item<bool>(), "a crop missed its object");
        }
    }

    [Theory]
    // pixel, window, length, u -> start: away from borders the pixel sits in the window's middle half (u picks where);
    // at a border the window stops at the image's edge; an image shorter than the window keeps the middle-half rule.
    [InlineData(100, 40, 200, 0.0, 70)]    // 100.5 - 0.75 x 40 = 70.5, rounded to even
    [InlineData(100, 40, 200, 1.0, 90)]    // 100.5 - 0.25 x 40 = 90.5
    [InlineData(5, 40, 200, 0.0, 0)]       // would start at -24.5
    [InlineData(5, 40, 200, 1.0, 0)]
    [InlineData(198, 40, 200, 0.5, 160)]   // would start at 178.5; the last start inside is 160
    [InlineData(198, 40.5, 200, 0.0, 159)] // a fractional window: the last whole start that keeps it inside
    [InlineData(10, 64, 40, 0.0, -38)]     // 10.5 - 48 = -37.5: an image shorter than the window is padded anyway
    [InlineData(10, 64, 40, 1.0, -6)]      // 10.5 - 16 = -5.5
    public void Window_start_keeps_the_pixel_in_the_middle_half_or_the_window_inside_the_image(int pixel, double window, int length, double u, double start)
    {
        Assert.Equal(start, ForegroundCrops.WindowStart(pixel, window, length, u));
    }

    [Fact]
    public void Shares_outside_0_to_1_are_refused()
    {
        Assert.Throws<ArgumentException>(() => (AugmentationOptions.Default with { OversampleForeground = 1.5 }).Validate());
        Assert.Throws<ArgumentException>(() => new SoSeg.Training.TrainingOptions { Augmentation = AugmentationOptions.Default with { OversampleForeground = -0.1 } }.Validate());
    }
}
