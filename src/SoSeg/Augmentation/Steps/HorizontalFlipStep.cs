// Steps/ groups the registered steps on disk; they share the Augmentation namespace, which the registry and the plan use.
namespace SoSeg.Augmentation;

/// <summary>Random horizontal flip, folded into the resampling (or the copy when nothing is resampled). One draw: the chance.</summary>
internal sealed class HorizontalFlipStep : AugmentationStep
{
    public override string Name => "flip";
    public override string Description => "horizontal flip (default 0.5)";
    public override bool IsOn(AugmentationOptions o) => o.HorizontalFlip;
    public override double ProbabilityIn(AugmentationOptions o) => o.HorizontalFlip ? o.FlipProbability : 0;
    public override AugmentationOptions WithProbability(AugmentationOptions o, double p) => o with { HorizontalFlip = On(p), FlipProbability = p };

    internal override int UniformDraws => 1;

    internal override void Plan(BatchPlan plan, StepDraws draws, AugmentationOptions o)
    {
        if (!o.HorizontalFlip) return;
        for (int i = 0; i < plan.Samples.Length; i++)
            plan.Samples[i] = plan.Samples[i] with { Flip = draws.Chance(i, 0, o.FlipProbability) };
    }
}
