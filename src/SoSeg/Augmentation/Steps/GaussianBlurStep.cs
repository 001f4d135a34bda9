using static TorchSharp.torch;

// Steps/ groups the registered steps on disk; they share the Augmentation namespace, which the registry and the plan use.
namespace SoSeg.Augmentation;

/// <summary>Gaussian blur after the resampling (authors' RandomGaussianBlur), per-sample sigma. Two draws: the chance and sigma.</summary>
internal sealed class GaussianBlurStep : AugmentationStep
{
    public override string Name => "blur";
    public override string Description => "Gaussian blur, sigma 0.1-1 px (default 0.5)";
    public override bool IsOn(AugmentationOptions o) => o.GaussianBlur;
    public override double ProbabilityIn(AugmentationOptions o) => o.GaussianBlur ? o.BlurProbability : 0;
    public override AugmentationOptions WithProbability(AugmentationOptions o, double p) => o with { GaussianBlur = On(p), BlurProbability = p };

    internal override int UniformDraws => 2;

    sealed record Sigmas(double[] Values);

    internal override void Plan(BatchPlan plan, StepDraws draws, AugmentationOptions o)
    {
        if (!o.GaussianBlur) return;
        plan.Set(this, new Sigmas(Enumerable.Range(0, plan.Samples.Length)
            .Select(i => draws.Chance(i, 0, o.BlurProbability) ? draws.Between(i, 1, o.BlurSigmaMin, o.BlurSigmaMax) : 0).ToArray()));
    }

    internal override void ApplyToImages(Tensor images, BatchPlan plan, AugmentationOptions o)
    {
        if (plan.Get<Sigmas>(this) is { } sigmas) BatchedGaussianBlur.ApplyInPlace(images, sigmas.Values);
    }
}
