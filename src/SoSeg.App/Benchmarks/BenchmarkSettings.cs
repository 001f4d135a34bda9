using SoSeg.Models;

namespace SoSeg.App.Benchmarks;

/// <summary>What <see cref="ModelBenchmark"/> measures.</summary>
public sealed record BenchmarkSettings
{
    /// <summary>Registered model name.</summary>
    public required string Model { get; init; }
    /// <summary>Square input side.</summary>
    public int Size { get; init; } = 512;
    /// <summary>Images per step.</summary>
    public int Batch { get; init; } = 4;
    /// <summary>Timed steps per phase (the reported figures are their medians).</summary>
    public int Steps { get; init; } = 10;
    /// <summary>Untimed steps before each phase.</summary>
    public int Warmup { get; init; } = 3;
    /// <summary>Input channels.</summary>
    public int InChannels { get; init; } = 3;
    /// <summary>Classes K.</summary>
    public int NumClasses { get; init; } = 2;
    /// <summary>Model options.</summary>
    public ModelOptions Options { get; init; } = ModelOptions.Empty;
    /// <summary>Seed of the weights and the random batch.</summary>
    public long Seed { get; init; } = 0;
    /// <summary>Also time the full training step (forward, backward, AdamW).</summary>
    public bool TrainStep { get; init; } = true;
    /// <summary>Also time the forward of the model exported to ONNX, in ONNX Runtime (CUDA provider on a CUDA device).</summary>
    public bool Onnx { get; init; }
    /// <summary>Arithmetic of both phases (fp32, tf32, bf16 mixed precision).</summary>
    public Runtime.Precision Precision { get; init; } = Runtime.Precision.Tf32;
    /// <summary>Channels-last activations (see <see cref="SegmentationModel.ChannelsLast"/>).</summary>
    public bool ChannelsLast { get; init; }
    /// <summary>AdamW implementation of the training step (see <see cref="SoSeg.Training.Optimization.TrainingOptimizers"/>).</summary>
    public string Optimizer { get; init; } = SoSeg.Training.Optimization.TrainingOptimizers.FlatAdamW;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first unusable value.</summary>
    public void Validate()
    {
        if (Size < 1) throw new ArgumentException($"--size must be positive, got {Size}.");
        if ((long)Size * Size > Data.Images.ImageReader.MaxPixels)
            throw new ArgumentException($"--size {Size} is larger than the largest image SoSeg reads ({Data.Images.ImageReader.MaxPixels:N0} pixels, 16384 x 16384).");
        if (Batch < 1) throw new ArgumentException($"--batch must be positive, got {Batch}.");
        if (Steps < 1) throw new ArgumentException($"--steps must be at least 1, got {Steps}.");
        if (!SoSeg.Training.Optimization.TrainingOptimizers.Names.Contains(Optimizer)) throw new ArgumentException($"--optimizer must be {string.Join(" or ", SoSeg.Training.Optimization.TrainingOptimizers.Names)}, got '{Optimizer}'.");
        if (Warmup < 0) throw new ArgumentException($"--warmup cannot be negative, got {Warmup}.");
    }
}
