// Steps/ groups the registered steps on disk; they share the Augmentation namespace, which the registry and the plan use.
namespace SoSeg.Augmentation;

/// <summary>Rotation about the crop centre, angle uniform in +-MaxRotationDegrees, every sample when on (authors' RandomRotation). One draw: the angle.</summary>
internal sealed class RotationStep : AugmentationStep
{
    public override string Name => "rotation";
    public override string Description => "rotation in +-10 degrees (every sample; 0 or 1)";
    public override bool Resamples => true;
    public override bool AcceptsPartialProbability => false;
    public override bool IsOn(AugmentationOptions o) => o.Rotation;
    public override double ProbabilityIn(AugmentationOptions o) => o.Rotation ? 1 : 0;
    public override AugmentationOptions WithProbability(AugmentationOptions o, double p) => o with { Rotation = On(p) };

    internal override int UniformDraws => 1;

    internal override void Plan(BatchPlan plan, StepDraws draws, AugmentationOptions o)
    {
        if (!o.Rotation) return;
        for (int i = 0; i < plan.Samples.Length; i++)
            plan.Samples[i] = plan.Samples[i] with { AngleRadians = draws.Between(i, 0, -o.MaxRotationDegrees, o.MaxRotationDegrees) * Math.PI / 180 };
    }
}
