using SoSeg.Data;
using SoSeg.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Inference;

/// <summary>
/// Runs a model on whole images of any size: directly when the image fits the window, else as a
/// Gaussian-weighted sliding window; optional flip test-time augmentation. Returns class
/// probabilities (softmax), from which the class map is the argmax.
/// </summary>
public sealed class SegmentationPredictor
{
    readonly ISegmentationEngine _engine;
    readonly Device _device;
    readonly PredictionOptions _options;

    /// <summary>Predicts with the TorchSharp model itself.</summary>
    public SegmentationPredictor(SegmentationModel model, Device device, PredictionOptions? options = null)
        : this(new TorchEngine(model, device), options)
    {
    }

    /// <summary>Predicts with any engine (TorchSharp, ONNX Runtime); everything but the logits is shared.</summary>
    public SegmentationPredictor(ISegmentationEngine engine, PredictionOptions? options = null)
    {
        _engine = engine;
        _device = engine.Device;
        _options = options ?? new PredictionOptions();
        if (_options.WindowSize < 16) throw new ArgumentException($"Window size {_options.WindowSize} is too small (at least 16).");
        if (!(_options.Overlap >= 0 && _options.Overlap < 1)) throw new ArgumentException($"Window overlap {_options.Overlap} must be in [0, 1).");
        if (_options.WindowBatch < 1) throw new ArgumentException($"Window batch {_options.WindowBatch} must be at least 1.");
    }

    public PredictionOptions Options => _options;

    /// <summary>Probabilities K x H x W (float32, on the CPU) and the class map H x W for one sample.</summary>
    public Prediction Predict(SegmentationSample sample)
    {
        if (sample.Channels != _engine.InChannels)
            throw new SoSegException($"{sample.Origin.ImagePath}: image has {sample.Channels} channel(s), the model takes {_engine.InChannels}.");
        using var scope = NewDisposeScope();
        using var image = torch.tensor(sample.Image, [sample.Channels, sample.Height, sample.Width]);
        var probabilities = PredictProbabilities(image);
        var classMap = probabilities.argmax(0).to(ScalarType.Byte);
        var result = new Prediction(
            probabilities.contiguous().data<float>().ToArray(),
            classMap.contiguous().data<byte>().ToArray(),
            (int)probabilities.shape[0], sample.Height, sample.Width);
        return result;
    }

    /// <summary>Softmax probabilities K x H x W on the CPU for an image C x H x W.</summary>
    public Tensor PredictProbabilities(Tensor image)
    {
        using var noGrad = torch.no_grad();
        using var onDevice = image.to(ScalarType.Float32, _device).unsqueeze(0);
        long height = image.shape[1], width = image.shape[2];
        int window = _options.WindowSize;
        var probabilities = height <= window && width <= window
            ? Forward(onDevice)
            : SlidingWindow(onDevice, height, width, window);
        return probabilities[0].cpu();
    }

    Tensor Forward(Tensor batch)
    {
        var probabilities = nn.functional.softmax(_engine.Logits(batch), 1);
        if (!_options.FlipTta) return probabilities;
        using var flipped = batch.flip(3);
        using var flippedProbabilities = nn.functional.softmax(_engine.Logits(flipped), 1).flip(3);
        return (probabilities + flippedProbabilities) * 0.5;
    }

    Tensor SlidingWindow(Tensor image, long height, long width, int window)
    {
        long windowH = Math.Min(window, height), windowW = Math.Min(window, width);
        var rows = WindowStarts(height, windowH);
        var cols = WindowStarts(width, windowW);
        var sum = torch.zeros([1, _engine.NumClasses, height, width], device: _device);
        var weightSum = torch.zeros([1, 1, height, width], device: _device);
        using var weight = ImportanceMap(windowH, windowW);

        var positions = rows.SelectMany(r => cols.Select(c => (r, c))).ToList();
        for (int start = 0; start < positions.Count; start += _options.WindowBatch)
        {
            using var scope = NewDisposeScope();
            var chunk = positions.Skip(start).Take(_options.WindowBatch).ToList();
            var tiles = torch.cat(chunk.Select(p => image.narrow(2, p.r, windowH).narrow(3, p.c, windowW)).ToList(), 0);
            var probabilities = Forward(tiles);
            for (int i = 0; i < chunk.Count; i++)
            {
                var (r, c) = chunk[i];
                sum.narrow(2, r, windowH).narrow(3, c, windowW).add_(probabilities.narrow(0, i, 1) * weight);
                weightSum.narrow(2, r, windowH).narrow(3, c, windowW).add_(weight);
            }
        }
        var result = sum / weightSum;
        sum.Dispose();
        weightSum.Dispose();
        return result;
    }

    /// <summary>Evenly spaced window starts covering [0, length) with steps of at most (1 - overlap) * window.</summary>
    public static long[] WindowStarts(long length, long window, double overlap = 0.5)
    {
        if (length <= window) return [0];
        long maxStep = Math.Max(1, (long)Math.Floor(window * (1 - overlap)));
        long count = (long)Math.Ceiling((double)(length - window) / maxStep) + 1;
        var starts = new long[count];
        for (long i = 0; i < count; i++)
            starts[i] = (long)Math.Round((double)(length - window) * i / (count - 1));
        return starts;
    }

    long[] WindowStarts(long length, long window) => WindowStarts(length, window, _options.Overlap);

    Tensor ImportanceMap(long height, long width)
    {
        if (!_options.GaussianBlending) return torch.ones([1, 1, height, width], device: _device);
        // nnU-Net's choice: sigma = 1/8 of the window, normalised to max 1, floored to avoid zero weights.
        var ys = torch.arange(height, dtype: ScalarType.Float32, device: _device) - (height - 1) / 2.0;
        var xs = torch.arange(width, dtype: ScalarType.Float32, device: _device) - (width - 1) / 2.0;
        double sigmaY = height / 8.0, sigmaX = width / 8.0;
        var gy = (-(ys * ys) / (2 * sigmaY * sigmaY)).exp();
        var gx = (-(xs * xs) / (2 * sigmaX * sigmaX)).exp();
        var map = gy.unsqueeze(1) * gx.unsqueeze(0);
        map = map / map.max();
        return map.clamp_min(1e-3).reshape(1, 1, height, width);
    }
}

/// <summary>A prediction for one image: probabilities K x H x W (class-major) and the argmax class map H x W.</summary>
public sealed record Prediction(float[] Probabilities, byte[] ClassMap, int NumClasses, int Height, int Width);
