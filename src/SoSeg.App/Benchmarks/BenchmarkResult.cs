namespace SoSeg.App.Benchmarks;

/// <summary>Timings of one phase: medians after warm-up, each step in its own dispose scope.</summary>
/// <param name="MedianMs">Median step time.</param>
/// <param name="MinMs">Fastest step.</param>
/// <param name="MaxMs">Slowest step.</param>
/// <param name="ImagesPerSecond">Batch / median.</param>
/// <param name="StepsMs">Every timed step.</param>
public sealed record PhaseTiming(double MedianMs, double MinMs, double MaxMs, double ImagesPerSecond, IReadOnlyList<double> StepsMs)
{
    /// <summary>Summarises step times for a batch size.</summary>
    public static PhaseTiming Of(IReadOnlyList<double> stepsMs, int batch)
    {
        var sorted = stepsMs.OrderBy(t => t).ToArray();
        double median = Median(sorted);
        return new PhaseTiming(median, sorted[0], sorted[^1], batch * 1000.0 / median, stepsMs);
    }

    /// <summary>Median of a non-empty list (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(t => t).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

/// <summary>What <see cref="ModelBenchmark"/> measured.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Device">Device it ran on ("cpu", "cuda:0").</param>
/// <param name="DeviceName">GPU name or CPU description.</param>
/// <param name="Threads">libtorch intra-op threads.</param>
/// <param name="Size">Input side.</param>
/// <param name="Batch">Images per step.</param>
/// <param name="Steps">Timed steps per phase.</param>
/// <param name="Warmup">Untimed steps before each phase.</param>
/// <param name="Parameters">Parameter count.</param>
/// <param name="GFlopsPerImage">Counted GFLOPs of one image's forward (2 x MACs of convolutions, linear layers, attention).</param>
/// <param name="GMacsPerImage">Counted fvcore-style GMACs of one image's forward (including norms and resampling).</param>
/// <param name="Forward">Inference forward (eval mode, no gradients).</param>
/// <param name="TrainStep">Training step (train mode: forward, cross-entropy, backward, AdamW step), or null when not measured.</param>
/// <param name="ForwardPeakMemory">Peak memory of the forward phase.</param>
/// <param name="TrainPeakMemory">Peak memory of the training phase.</param>
/// <param name="OnnxForward">The same forward of the same weights exported to ONNX and run in ONNX Runtime, or null when not measured.</param>
/// <param name="OnnxProvider">The ONNX Runtime execution provider that ran it.</param>
/// <param name="OptimizerStep">The AdamW update alone (on the last step's gradients), or null when the training step was not measured.</param>
/// <param name="Optimizer">AdamW implementation used by the training step.</param>
/// <param name="Precision">Arithmetic (fp32, tf32, bf16).</param>
/// <param name="MemoryFormat">Activation layout: "nchw" or "channels-last".</param>
public sealed record BenchmarkResult(
    string Model,
    string Device,
    string DeviceName,
    int Threads,
    int Size,
    int Batch,
    int Steps,
    int Warmup,
    long Parameters,
    double GFlopsPerImage,
    double GMacsPerImage,
    PhaseTiming Forward,
    PhaseTiming? TrainStep,
    MemoryFigure? ForwardPeakMemory,
    MemoryFigure? TrainPeakMemory,
    PhaseTiming? OnnxForward = null,
    string? OnnxProvider = null,
    PhaseTiming? OptimizerStep = null,
    string Optimizer = SoSeg.Training.Optimization.TrainingOptimizers.FlatAdamW,
    string Precision = "tf32",
    string MemoryFormat = "nchw");
