using SoSeg.Checkpoints;

namespace SoSeg.Training.Callbacks;

/// <summary>metrics.csv: one row per finished epoch, rewritten (atomically) after every epoch.</summary>
public sealed class MetricsCsvCallback(string path) : ITrainingCallback
{
    public void OnEpochEnd(TrainingContext context, EpochOutcome outcome) => EpochRecord.WriteCsv(path, context.Records);
}
