namespace SoSeg.Training;

/// <summary>
/// The paper's schedule read as the authors' code does it: linear warm-up from <see cref="MinRate"/>
/// to <see cref="PeakRate"/> over the first <see cref="WarmupSteps"/> steps, then cosine decay to
/// <see cref="MinRate"/> at the last step (5e-5 -> 1e-6 by default). A pure function of the step, so a
/// resumed run continues exactly.
/// </summary>
public sealed record LearningRateSchedule(double PeakRate, double MinRate, long TotalSteps, long WarmupSteps)
{
    /// <summary>Learning rate for a 0-based optimizer step.</summary>
    public double At(long step)
    {
        if (TotalSteps <= 0) return PeakRate;
        step = Math.Clamp(step, 0, TotalSteps - 1);
        if (WarmupSteps > 0 && step < WarmupSteps)
            return MinRate + (PeakRate - MinRate) * (step + 1) / WarmupSteps;
        long decaySteps = Math.Max(1, TotalSteps - WarmupSteps - 1);
        double progress = Math.Clamp((double)(step - WarmupSteps) / decaySteps, 0, 1);
        return MinRate + (PeakRate - MinRate) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
