namespace SoSeg.Training.Callbacks;

/// <summary>
/// Stops a run when <paramref name="patience"/> validated epochs in a row have not improved the selection score
/// (counted from the best epoch, or from the start when no epoch was best yet).
/// </summary>
public sealed class EarlyStopCallback(int patience, TextWriter? log = null) : ITrainingCallback
{
    public int Patience { get; } = patience >= 1 ? patience : throw SettingError.Invalid("EarlyStop", $"must be at least 1 epoch (got {patience}).");

    public void OnEpochEnd(TrainingContext context, EpochOutcome outcome)
    {
        if (!outcome.Validated || outcome.Improved) return;
        int since = outcome.Epoch - (context.BestEpoch ?? 0);
        if (since < Patience) return;
        string reason = $"no better {context.ScoreName} for {since} epoch(s)" + (context.BestEpoch is { } best ? $" since epoch {best}" : "");
        context.RequestStop(reason);
        log?.WriteLine($"early stop after epoch {outcome.Epoch}: {reason}.");
    }
}
