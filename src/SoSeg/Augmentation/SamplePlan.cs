using SoSeg.Data;
using static TorchSharp.torch;

namespace SoSeg.Augmentation;

/// <summary>
/// The geometry of one sample's single fused resampling: scale, crop window, flip and angle. Identity values
/// (scale 1, angle 0, no flip) mean "not applied". Steps write it while planning (<see cref="AugmentationStep"/>).
/// </summary>
internal readonly record struct SamplePlan(
    double Scale, double WindowWidth, double WindowHeight, double X0, double Y0, bool Flip, double AngleRadians)
{
    /// <summary>Uniform draws per sample: the registered steps' slots together, in registry order.</summary>
    public static int DrawsPerSample => AugmentationRegistry.DrawsPerSample;

    /// <summary>The geometry of each sample of a batch (see <see cref="BatchPlan.Draw"/>).</summary>
    public static SamplePlan[] Draw(IReadOnlyList<SegmentationSample> samples, AugmentationOptions o, Generator generator) =>
        BatchPlan.Draw(samples, o, generator).Samples;
}

/// <summary>
/// The random choices for a whole batch, drawn up front from the pipeline's generator so that a seed fixes the
/// batch: one N x <see cref="SamplePlan.DrawsPerSample"/> uniform tensor, each registered step reading its own
/// fixed slots (so switching one step off does not change the others' draws). Holds the shared geometry and
/// each step's own per-sample parameters.
/// </summary>
internal sealed class BatchPlan
{
    readonly Dictionary<AugmentationStep, object> _parameters = new();

    BatchPlan(IReadOnlyList<SegmentationSample> sampleList) =>
        (SampleList, Samples) = (sampleList, Enumerable.Repeat(new SamplePlan(1, 0, 0, 0, 0, false, 0), sampleList.Count).ToArray());

    /// <summary>The samples being augmented.</summary>
    public IReadOnlyList<SegmentationSample> SampleList { get; }
    /// <summary>Per-sample geometry of the fused resampling.</summary>
    public SamplePlan[] Samples { get; }

    /// <summary>A step's own per-batch parameters (blur sigmas, photometric factors ...), set while planning.</summary>
    public void Set<T>(AugmentationStep step, T parameters) where T : class => _parameters[step] = parameters;
    /// <summary>The parameters <paramref name="step"/> set, or null when it did not plan this batch.</summary>
    public T? Get<T>(AugmentationStep step) where T : class => _parameters.GetValueOrDefault(step) as T;

    /// <summary>Draws the plan of a batch: the uniform tensor, then every step's part in registry order.</summary>
    public static BatchPlan Draw(IReadOnlyList<SegmentationSample> samples, AugmentationOptions o, Generator generator)
    {
        int n = samples.Count, width = AugmentationRegistry.DrawsPerSample;
        double[] u;
        using (var draws = rand([n, width], dtype: ScalarType.Float64, generator: generator))
            u = draws.data<double>().ToArray();
        var plan = new BatchPlan(samples);
        int offset = 0;
        foreach (var step in AugmentationRegistry.Steps)
        {
            step.Plan(plan, new StepDraws(u, width, offset), o);
            offset += step.UniformDraws;
        }
        return plan;
    }
}

/// <summary>A step's view of the batch's uniform draws: its own slots of each sample's row.</summary>
internal readonly struct StepDraws(double[] uniforms, int width, int offset)
{
    /// <summary>The <paramref name="k"/>-th of the step's uniforms in [0, 1) for sample <paramref name="sample"/>.</summary>
    public double U(int sample, int k) => uniforms[sample * width + offset + k];
    /// <summary>Uniform in [min, max].</summary>
    public double Between(int sample, int k, double min, double max) => min + U(sample, k) * (max - min);
    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(int sample, int k, double p) => U(sample, k) < p;
}
