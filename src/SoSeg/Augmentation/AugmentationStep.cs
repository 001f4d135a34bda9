using static TorchSharp.torch;

namespace SoSeg.Augmentation;

/// <summary>
/// One training augmentation: its switch and probability in <see cref="AugmentationOptions"/>, how it draws its
/// parameters (fixed slots of the batch's uniform draw) and how it adds to the one shared plan: geometry for the
/// single fused resampling, a displacement field added to that resampling's grid, or an in-place step on the
/// resampled images. Registered by name in <see cref="AugmentationRegistry"/>.
/// </summary>
public abstract class AugmentationStep
{
    /// <summary>Name used by the Augmentations setting (e.g. "flip").</summary>
    public abstract string Name { get; }
    /// <summary>One line for help texts.</summary>
    public abstract string Description { get; }
    /// <summary>False for a step every batch needs (the crop): it cannot be switched off.</summary>
    public virtual bool Switchable => true;
    /// <summary>True when the step changes the sampling grid, so the batch is resampled rather than sliced.</summary>
    public virtual bool Resamples => false;
    /// <summary>True when a probability strictly between 0 and 1 is meaningful (false: the step is on for every sample or off).</summary>
    public virtual bool AcceptsPartialProbability => true;

    /// <summary>Whether the step is switched on in <paramref name="options"/>.</summary>
    public abstract bool IsOn(AugmentationOptions options);
    /// <summary>The per-sample probability in <paramref name="options"/> (0 when off).</summary>
    public abstract double ProbabilityIn(AugmentationOptions options);
    /// <summary>Options with this step at probability <paramref name="probability"/>; 0 switches it off.</summary>
    public abstract AugmentationOptions WithProbability(AugmentationOptions options, double probability);

    /// <summary>Uniform draws per sample this step reads. Fixed, whatever the options, so other steps keep their draws.</summary>
    internal abstract int UniformDraws { get; }
    /// <summary>Writes this step's part of the plan from its draws (called for every step, on or off, in registry order).</summary>
    internal abstract void Plan(BatchPlan plan, StepDraws draws, AugmentationOptions options);
    /// <summary>Draws made after the plan (and after foreground crops) from the same generator, only when the step is on.</summary>
    internal virtual void DrawAfterPlan(BatchPlan plan, AugmentationOptions options, Generator generator) { }
    /// <summary>A displacement (N x S x S x 2, grid units of the source canvas) added to the fused resampling's grid, or null.</summary>
    internal virtual Tensor? Displacement(BatchPlan plan, AugmentationOptions options, int canvasWidth, int canvasHeight, Device device) => null;
    /// <summary>Changes the resampled N x C x S x S images in place (registry order), only when the step is on.</summary>
    internal virtual void ApplyToImages(Tensor images, BatchPlan plan, AugmentationOptions options) { }

    /// <summary>Sets the switch and the probability together: on exactly when <paramref name="probability"/> &gt; 0.</summary>
    protected static bool On(double probability) => probability > 0;
}
