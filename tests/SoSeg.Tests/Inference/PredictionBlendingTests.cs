using SoSeg.Data;
using SoSeg.Inference;
using SoSeg.Models;
using SoSeg.Runtime;
using static TorchSharp.torch;

namespace SoSeg.Tests.Inference;

/// <summary>
/// Flip test-time augmentation and sliding-window blending against values worked out by hand, with stub
/// models whose output is known: foreground logit = pixel value + slope x (column inside the window
/// the model sees), background logit 0; or constant logits.
/// </summary>
public class PredictionBlendingTests
{
    /// <summary>Foreground logit = input + slope * column of the input it is given (so a tile's own column); background 0.</summary>
    sealed class ColumnModel(double slope) : SegmentationModel("column", new ModelConfig(1, 2))
    {
        public override int SizeDivisor => 1;
        protected override SegmentationOutput ForwardPadded(Tensor input, bool withSideOutputs)
        {
            using var columns = arange(input.shape[3], dtype: ScalarType.Float32).reshape(1, 1, 1, -1) * slope;
            var foreground = input + columns;
            return new SegmentationOutput(cat([zeros_like(foreground), foreground], 1));
        }
    }

    /// <summary>The same logits everywhere: background 0, foreground ln 3, so probabilities 1/4 and 3/4.</summary>
    sealed class ConstantModel() : SegmentationModel("constant", new ModelConfig(1, 2))
    {
        protected override SegmentationOutput ForwardPadded(Tensor input, bool withSideOutputs)
        {
            var logits = zeros(input.shape[0], 2, input.shape[2], input.shape[3]);
            logits[.., 1] = tensor((float)Math.Log(3));
            return new SegmentationOutput(logits);
        }
    }

    static readonly Device Cpu = TorchRuntime.Resolve(DeviceSpec.Cpu);

    static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    static SegmentationSample Sample(float[] image, int height, int width) => new()
    {
        Id = "x", Channels = 1, Height = height, Width = width, Image = image, Origin = new SampleOrigin("x.png", null),
    };

    /// <summary>Foreground probability at (y, x) of a 2-class prediction.</summary>
    static double Foreground(Prediction p, int y, int x) => p.Probabilities[p.Height * p.Width + y * p.Width + x];

    [Fact]
    public void Flip_tta_averages_the_prediction_with_the_flipped_images_prediction_flipped_back()
    {
        const int height = 2, width = 5;
        const double slope = 0.7;
        float[] image = [0.3f, -1.2f, 2.0f, 0.1f, -0.4f, 1.5f, 0.0f, -0.8f, 0.9f, 0.2f];
        using var model = new ColumnModel(slope);
        var plain = new SegmentationPredictor(model, Cpu, new PredictionOptions { WindowSize = 16 }).Predict(Sample(image, height, width));
        var tta = new SegmentationPredictor(model, Cpu, new PredictionOptions { WindowSize = 16, FlipTta = true }).Predict(Sample(image, height, width));

        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double value = image[y * width + x];
                Assert.Equal(Sigmoid(value + slope * x), Foreground(plain, y, x), 1e-5);
                // The flipped image puts this pixel at column width-1-x; flipped back, it lands here again.
                double expected = 0.5 * (Sigmoid(value + slope * x) + Sigmoid(value + slope * (width - 1 - x)));
                Assert.Equal(expected, Foreground(tta, y, x), 1e-5);
            }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Blended_windows_of_a_constant_model_give_the_constant_everywhere(bool gaussian, bool tta)
    {
        const int height = 37, width = 53;
        using var model = new ConstantModel();
        var image = Enumerable.Range(0, height * width).Select(i => (float)(i % 7)).ToArray();
        var prediction = new SegmentationPredictor(model, Cpu,
            new PredictionOptions { WindowSize = 16, GaussianBlending = gaussian, FlipTta = tta, WindowBatch = 3 }).Predict(Sample(image, height, width));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                Assert.Equal(0.25, prediction.Probabilities[y * width + x], 1e-5);
                Assert.Equal(0.75, Foreground(prediction, y, x), 1e-5);
            }
    }

    [Fact]
    public void Overlapping_windows_are_averaged_with_equal_weights_without_gaussian_blending()
    {
        // 16 x 24 with 16-pixel windows at half overlap: windows start at columns 0 and 8.
        const int height = 16, width = 24;
        const double slope = 0.3;
        Assert.Equal([0L, 8L], SegmentationPredictor.WindowStarts(width, 16, 0.5));
        var image = Enumerable.Range(0, height * width).Select(i => (float)((i * 37 % 11) / 5.0 - 1)).ToArray();
        using var model = new ColumnModel(slope);
        var prediction = new SegmentationPredictor(model, Cpu,
            new PredictionOptions { WindowSize = 16, GaussianBlending = false }).Predict(Sample(image, height, width));

        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double value = image[y * width + x];
                double left = Sigmoid(value + slope * x), right = Sigmoid(value + slope * (x - 8));
                double expected = x < 8 ? left : x < 16 ? (left + right) / 2 : right;
                Assert.Equal(expected, Foreground(prediction, y, x), 1e-5);
            }
    }

    [Fact]
    public void Gaussian_blending_weights_each_window_by_its_distance_from_the_window_centre()
    {
        const int height = 16, width = 24;
        const double slope = 0.3;
        var image = Enumerable.Range(0, height * width).Select(i => (float)((i * 37 % 11) / 5.0 - 1)).ToArray();
        using var model = new ColumnModel(slope);
        var prediction = new SegmentationPredictor(model, Cpu,
            new PredictionOptions { WindowSize = 16 }).Predict(Sample(image, height, width));

        // nnU-Net's importance map: a Gaussian with sigma = window / 8 around the window centre (7.5),
        // scaled to a maximum of 1 and floored at 1e-3.
        static double Gauss(double d) => Math.Exp(-d * d / (2 * 2.0 * 2.0));
        static double Weight(int y, int x) => Math.Max(Gauss(y - 7.5) * Gauss(x - 7.5) / (Gauss(0.5) * Gauss(0.5)), 1e-3);
        for (int y = 0; y < height; y++)
            for (int x = 8; x < 16; x++)
            {
                double value = image[y * width + x];
                double left = Sigmoid(value + slope * x), right = Sigmoid(value + slope * (x - 8));
                double wLeft = Weight(y, x), wRight = Weight(y, x - 8);
                Assert.Equal((wLeft * left + wRight * right) / (wLeft + wRight), Foreground(prediction, y, x), 1e-5);
            }
        // Where only one window reaches, its own prediction stands, whatever its weight.
        Assert.Equal(Sigmoid(image[0] + 0), Foreground(prediction, 0, 0), 1e-5);
        Assert.Equal(Sigmoid(image[width - 1] + slope * 15), Foreground(prediction, 0, width - 1), 1e-5);
    }
}
