using static TorchSharp.torch;

// Steps/ groups the registered steps on disk; they share the Augmentation namespace, which the registry and the plan use.
namespace SoSeg.Augmentation;

/// <summary>
/// Photometric distortion (<see cref="PhotometricDistortion"/>, mmseg's PhotoMetricDistortion): brightness, contrast
/// before or after the colour steps, saturation and hue, each with the step's probability. Nine draws.
/// </summary>
internal sealed class PhotometricStep : AugmentationStep
{
    public override string Name => "photometric";
    public override string Description => "photometric distortion: brightness, contrast, saturation, hue, each with this probability (default 0.5)";
    public override bool IsOn(AugmentationOptions o) => o.PhotometricDistortion;
    public override double ProbabilityIn(AugmentationOptions o) => o.PhotometricDistortion ? o.PhotometricProbability : 0;
    public override AugmentationOptions WithProbability(AugmentationOptions o, double p) => o with { PhotometricDistortion = On(p), PhotometricProbability = p };

    internal override int UniformDraws => 9;

    sealed record Factors(PhotometricFactors[] Values);

    internal override void Plan(BatchPlan plan, StepDraws d, AugmentationOptions o)
    {
        bool pd = o.PhotometricDistortion;
        double p = o.PhotometricProbability;
        var factors = new PhotometricFactors[plan.Samples.Length];
        for (int i = 0; i < factors.Length; i++)
        {
            // Slot 2 (contrast before or after the colour steps) is read whether or not the step is on, as it always was.
            bool contrastFirst = d.U(i, 2) < 0.5;
            double contrast = pd && d.Chance(i, 3, p) ? d.Between(i, 4, o.ContrastMin, o.ContrastMax) : 1;
            factors[i] = new PhotometricFactors(
                BrightnessDelta: pd && d.Chance(i, 0, p) ? d.Between(i, 1, -o.BrightnessDelta, o.BrightnessDelta) : 0,
                ContrastFirst: contrastFirst ? contrast : 1,
                ContrastLast: contrastFirst ? 1 : contrast,
                Saturation: pd && d.Chance(i, 5, p) ? d.Between(i, 6, o.SaturationMin, o.SaturationMax) : 1,
                HueRadians: pd && d.Chance(i, 7, p) ? d.Between(i, 8, -o.HueDeltaDegrees, o.HueDeltaDegrees) * Math.PI / 180 : 0);
        }
        if (pd) plan.Set(this, new Factors(factors));
    }

    internal override void ApplyToImages(Tensor images, BatchPlan plan, AugmentationOptions o)
    {
        if (plan.Get<Factors>(this) is { } factors) PhotometricDistortion.ApplyInPlace(images, factors.Values);
    }
}
