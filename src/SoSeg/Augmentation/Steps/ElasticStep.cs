using static TorchSharp.torch;

// Steps/ groups the registered steps on disk; they share the Augmentation namespace, which the registry and the plan use.
namespace SoSeg.Augmentation;

/// <summary>
/// Elastic deformation (<see cref="ElasticField"/>): a smooth displacement added to the resampling grid. One draw:
/// the chance; the control-point noise is drawn after the plan, only when the step is on.
/// </summary>
internal sealed class ElasticStep : AugmentationStep
{
    public override string Name => "elastic";
    public override string Description => "elastic deformation (default off; 0.5 when switched on by --elastic)";
    public override bool Resamples => true;
    public override bool IsOn(AugmentationOptions o) => o.ElasticDeformation;
    public override double ProbabilityIn(AugmentationOptions o) => o.ElasticDeformation ? o.ElasticProbability : 0;
    public override AugmentationOptions WithProbability(AugmentationOptions o, double p) => o with { ElasticDeformation = On(p), ElasticProbability = p };

    internal override int UniformDraws => 1;

    /// <summary>Per sample: deformed or not; and the batch's control-point noise.</summary>
    sealed record Parameters(bool[] Applied) { public Tensor? Noise { get; set; } }

    internal override void Plan(BatchPlan plan, StepDraws draws, AugmentationOptions o)
    {
        if (!o.ElasticDeformation) return;
        plan.Set(this, new Parameters(Enumerable.Range(0, plan.Samples.Length).Select(i => draws.Chance(i, 0, o.ElasticProbability)).ToArray()));
    }

    internal override void DrawAfterPlan(BatchPlan plan, AugmentationOptions o, Generator generator)
    {
        if (plan.Get<Parameters>(this) is { } parameters) parameters.Noise = ElasticField.DrawNoise(plan.Samples.Length, o, generator);
    }

    internal override Tensor? Displacement(BatchPlan plan, AugmentationOptions o, int canvasWidth, int canvasHeight, Device device) =>
        plan.Get<Parameters>(this) is { Noise: { } noise } parameters && parameters.Applied.Any(a => a)
            ? ElasticField.Displacement(noise, plan.Samples, parameters.Applied, o.CropSize, canvasWidth, canvasHeight, device)
            : null;
}
