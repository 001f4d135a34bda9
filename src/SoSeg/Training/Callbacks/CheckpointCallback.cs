using SoSeg.Checkpoints;

namespace SoSeg.Training.Callbacks;

/// <summary>
/// Writes `best` (when an epoch improves the selection score) and `last` (every epoch, with the optimizer state and
/// every epoch's record) into a run folder; both atomic and verified.
/// </summary>
/// <param name="describe">What the checkpoint says about the model and data; epoch, step and scores are filled in here.</param>
public sealed class CheckpointCallback(RunFolder run, CheckpointInfo describe) : ITrainingCallback
{
    public void OnEpochEnd(TrainingContext context, EpochOutcome outcome)
    {
        var info = describe with
        {
            Epoch = outcome.Epoch,
            Step = (long)outcome.Epoch * context.StepsPerEpoch,
            ScoreName = "val_" + context.ScoreName,
            Score = outcome.Score,
            BestScore = context.BestScore,
            BestEpoch = context.BestEpoch,
        };
        // `best` first: if the process dies between the two writes, `last` still points to the older epoch, which resumes correctly.
        if (outcome.Improved) Checkpoint.Save(run.BestCheckpoint, context.Model, info);
        // `last` carries metrics.csv's rows: if the process dies before the CSV is replaced, resume restores the row.
        Checkpoint.Save(run.LastCheckpoint, context.Model, info with { Epochs = context.Records.ToList() }, context.Optimizer.State);
    }
}
