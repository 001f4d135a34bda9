// Steps/ groups the registered steps on disk; they share the Augmentation namespace, which the registry and the plan use.
namespace SoSeg.Augmentation;

/// <summary>
/// The random crop every training batch needs: a window of crop / scale source pixels at a uniform place; where the
/// image is smaller the window extends past it (padding). Two draws: x and y. Not switchable.
/// </summary>
internal sealed class RandomCropStep : AugmentationStep
{
    public override string Name => "crop";
    public override string Description => "random square crop, padded where the image is smaller (always on)";
    public override bool Switchable => false;
    public override bool IsOn(AugmentationOptions o) => true;
    public override double ProbabilityIn(AugmentationOptions o) => 1;
    public override AugmentationOptions WithProbability(AugmentationOptions o, double p) =>
        throw new InvalidOperationException("The random crop is part of every training batch and cannot be switched.");

    internal override int UniformDraws => 2;

    internal override void Plan(BatchPlan plan, StepDraws draws, AugmentationOptions o)
    {
        for (int i = 0; i < plan.Samples.Length; i++)
        {
            var (s, p) = (plan.SampleList[i], plan.Samples[i]);
            // The crop window in source pixels; where the image is smaller it sits at a random place inside the window.
            double window = o.CropSize / p.Scale;
            plan.Samples[i] = p with
            {
                WindowWidth = window, WindowHeight = window,
                X0 = Math.Round((s.Width - window) * draws.U(i, 0)),
                Y0 = Math.Round((s.Height - window) * draws.U(i, 1)),
            };
        }
    }
}
