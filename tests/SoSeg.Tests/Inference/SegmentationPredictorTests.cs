using SoSeg.Data;
using SoSeg.Inference;
using SoSeg.Models;
using SoSeg.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Inference;

public class SegmentationPredictorTests
{
    [Theory]
    [InlineData(100, 32, new long[] { 0, 14, 27, 41, 54, 68 })] // 68/16 -> 5 steps of 13.6
    [InlineData(32, 32, new long[] { 0 })]
    [InlineData(20, 32, new long[] { 0 })]
    [InlineData(48, 32, new long[] { 0, 16 })]
    public void Windows_cover_the_image_with_at_most_half_a_window_step(long length, long window, long[] expected)
    {
        var starts = SegmentationPredictor.WindowStarts(length, window, 0.5);
        Assert.Equal(expected, starts);
        Assert.Equal(0, starts[0]);
        Assert.Equal(Math.Max(0, length - window), starts[^1]);
        for (int i = 1; i < starts.Length; i++) Assert.InRange(starts[i] - starts[i - 1], 1, window / 2);
    }

    static SegmentationSample Sample(int channels, int height, int width)
    {
        var random = new Random(1);
        return new SegmentationSample
        {
            Id = "x", Channels = channels, Height = height, Width = width,
            Image = Enumerable.Range(0, channels * height * width).Select(_ => (float)random.NextDouble()).ToArray(),
            Origin = new SampleOrigin("x.png", null),
        };
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Large_images_are_predicted_in_windows_into_probabilities_that_sum_to_one(bool blending, bool tta)
    {
        var model = ModelRegistry.Create("unet", 1, 3, ModelOptions.Parse(["base-width=4"]));
        var predictor = new SegmentationPredictor(model, TorchRuntime.Resolve(DeviceSpec.Cpu),
            new PredictionOptions { WindowSize = 32, GaussianBlending = blending, FlipTta = tta, WindowBatch = 3 });
        var prediction = predictor.Predict(Sample(1, 70, 90));
        Assert.Equal(3 * 70 * 90, prediction.Probabilities.Length);
        Assert.Equal(70 * 90, prediction.ClassMap.Length);
        for (int p = 0; p < 70 * 90; p += 97)
        {
            float sum = prediction.Probabilities[p] + prediction.Probabilities[6300 + p] + prediction.Probabilities[12600 + p];
            Assert.Equal(1f, sum, 4);
            int best = new[] { 0, 1, 2 }.MaxBy(c => prediction.Probabilities[c * 6300 + p]);
            Assert.Equal(best, prediction.ClassMap[p]);
        }
    }

    [Fact]
    public void An_image_that_fits_the_window_gives_the_models_own_softmax()
    {
        var model = ModelRegistry.Create("unet", 1, 2, ModelOptions.Parse(["base-width=4"]));
        model.eval();
        var sample = Sample(1, 30, 40);
        var prediction = new SegmentationPredictor(model, TorchRuntime.Resolve(DeviceSpec.Cpu), new PredictionOptions { WindowSize = 64 }).Predict(sample);
        using var x = torch.tensor(sample.Image, [1, 1, 30, 40]);
        using var expected = nn.functional.softmax(model.call(x), 1).flatten();
        Assert.True(torch.tensor(prediction.Probabilities).allclose(expected, atol: 1e-6));
    }

    [Fact]
    public void Channel_mismatch_names_the_file()
    {
        var model = ModelRegistry.Create("unet", 3, 2, ModelOptions.Parse(["base-width=4"]));
        var predictor = new SegmentationPredictor(model, TorchRuntime.Resolve(DeviceSpec.Cpu));
        var error = Assert.Throws<SoSegException>(() => predictor.Predict(Sample(1, 16, 16)));
        Assert.Contains("x.png", error.Message);
        Assert.Throws<ArgumentException>(() => new SegmentationPredictor(model, TorchRuntime.Resolve(DeviceSpec.Cpu), new PredictionOptions { Overlap = 1 }));
    }
}
