// Steps/ groups the registered steps on disk; they share the Augmentation namespace, which the registry and the plan use.
namespace SoSeg.Augmentation;

/// <summary>
/// Random rescaling before the crop (authors' RandomShortSizeResize): the factor sets the short side to factor x crop
/// (long side capped), or multiplies the image's own size. Every sample when on. One draw: the factor.
/// </summary>
internal sealed class RandomScaleStep : AugmentationStep
{
    public override string Name => "scale";
    public override string Description => "random rescale before the crop (every sample; 0 or 1)";
    public override bool Resamples => true;
    public override bool AcceptsPartialProbability => false;
    public override bool IsOn(AugmentationOptions o) => o.RandomScale;
    public override double ProbabilityIn(AugmentationOptions o) => o.RandomScale ? 1 : 0;
    public override AugmentationOptions WithProbability(AugmentationOptions o, double p) => o with { RandomScale = On(p) };

    internal override int UniformDraws => 1;

    internal override void Plan(BatchPlan plan, StepDraws draws, AugmentationOptions o)
    {
        if (!o.RandomScale) return;
        for (int i = 0; i < plan.Samples.Length; i++)
        {
            var s = plan.SampleList[i];
            double factor = draws.Between(i, 0, o.ScaleMin, o.ScaleMax);
            double scale = o.ScaleRelativeToCrop
                ? Math.Min(factor * o.CropSize / Math.Min(s.Height, s.Width), o.MaxLongSideFactor * o.CropSize / Math.Max(s.Height, s.Width))
                : factor;
            plan.Samples[i] = plan.Samples[i] with { Scale = scale };
        }
    }
}
