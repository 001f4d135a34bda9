using System.Diagnostics;
using SoSeg.Augmentation;
using SoSeg.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.App.Benchmarks;

/// <summary>Throughput of the training augmentation, as `soseg bench --augment` reports it.</summary>
/// <param name="Device">Where the batches were built, e.g. "cpu" or "cuda:0".</param>
/// <param name="BatchSize">Samples per batch.</param>
/// <param name="CropSize">Side of the output crops.</param>
/// <param name="Channels">Channels per sample.</param>
/// <param name="SourceWidth">Width of the input samples.</param>
/// <param name="SourceHeight">Height of the input samples.</param>
/// <param name="Repetitions">Timed batches (after the warm-up ones).</param>
/// <param name="MedianBatchSeconds">Median wall time of one batch: planning, CPU cropping, copy to the device, every device step.</param>
/// <param name="ImagesPerSecond">BatchSize / MedianBatchSeconds.</param>
/// <param name="Transforms">The transforms that were on, e.g. "scale, flip, crop, rotation, blur, photometric".</param>
public sealed record AugmentationBenchmarkResult(
    string Device, int BatchSize, int CropSize, int Channels, int SourceWidth, int SourceHeight, int Repetitions,
    double MedianBatchSeconds, double ImagesPerSecond, string Transforms);

/// <summary>
/// Times <see cref="AugmentationPipeline.Apply"/> on random samples: the median over repetitions of the wall time of
/// one batch, waiting for the device to finish each batch.
/// </summary>
public static class AugmentationBenchmark
{
    /// <summary>Runs the benchmark (warm-up batches are not timed).</summary>
    /// <param name="device">Training device (resolve it with TorchRuntime first).</param>
    /// <param name="batchSize">Samples per batch (the paper: 4).</param>
    /// <param name="repetitions">Timed batches; the median is reported.</param>
    /// <param name="warmup">Untimed batches first (allocator, kernels, JIT).</param>
    /// <param name="options">Augmentation options; default <see cref="AugmentationOptions.Default"/> (crop 512).</param>
    /// <param name="sourceWidth">Width of the random input samples (default 640, SemSperm's frames).</param>
    /// <param name="sourceHeight">Height of the random input samples (default 480).</param>
    /// <param name="channels">Channels of the input samples (default 3).</param>
    /// <param name="seed">Seed of the inputs and of the augmentation generator.</param>
    public static AugmentationBenchmarkResult Run(Device device, int batchSize = 4, int repetitions = 20, int warmup = 3,
                                                  AugmentationOptions? options = null, int sourceWidth = 640, int sourceHeight = 480,
                                                  int channels = 3, int seed = 0)
    {
        if (batchSize < 1 || repetitions < 1 || warmup < 0)
            throw new ArgumentException($"batch size and repetitions must be at least 1 and warm-up at least 0 (got {batchSize}, {repetitions}, {warmup}).");
        options ??= AugmentationOptions.Default;
        var pipeline = new AugmentationPipeline(options);
        var samples = RandomSamples(batchSize, channels, sourceHeight, sourceWidth, seed);
        using var generator = new Generator((ulong)seed, CPU);

        var times = new List<double>();
        for (int i = 0; i < warmup + repetitions; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                pipeline.Apply(samples, device, generator);   // the scope disposes the batch
                if (device.type == DeviceType.CUDA) cuda.synchronize(device);
            }
            if (i >= warmup) times.Add(clock.Elapsed.TotalSeconds);
        }
        double median = PhaseTiming.Median(times);
        return new AugmentationBenchmarkResult(device.ToString(), batchSize, options.CropSize, channels, sourceWidth, sourceHeight,
                                               repetitions, median, batchSize / median, Describe(options));
    }

    /// <summary>Names of the transforms that are on, in pipeline order.</summary>
    public static string Describe(AugmentationOptions o)
    {
        var names = new List<string>();
        if (o.RandomScale) names.Add("scale");
        if (o.HorizontalFlip) names.Add("flip");
        names.Add("crop");
        if (o.Rotation) names.Add("rotation");
        if (o.ElasticDeformation) names.Add("elastic");
        if (o.GaussianBlur) names.Add("blur");
        if (o.PhotometricDistortion) names.Add("photometric");
        return string.Join(", ", names);
    }

    static SegmentationSample[] RandomSamples(int count, int channels, int height, int width, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var image = new float[channels * height * width];
            for (int k = 0; k < image.Length; k++) image[k] = (float)random.NextDouble();
            var mask = new byte[height * width];
            for (int k = 0; k < mask.Length; k++) mask[k] = (byte)(random.Next(100) < 2 ? 1 : 0);
            return new SegmentationSample
            {
                Id = $"bench_{i}", Channels = channels, Height = height, Width = width, Image = image, Mask = mask,
                Origin = new SampleOrigin("(random)", null),
            };
        }).ToArray();
    }
}
