namespace SoSeg.Training.Callbacks;

/// <summary>One line when training starts and one per epoch (loss, validation score, best, learning rate, speed, memory).</summary>
/// <param name="modelName">The model's registered name, for the first line.</param>
public sealed class EpochLogCallback(TextWriter log, string modelName) : ITrainingCallback
{
    public void OnTrainingStart(TrainingContext context)
    {
        log.WriteLine($"training {modelName} ({context.Model.ParameterCount():N0} parameters) on {context.Device.type.ToString().ToLowerInvariant()} " +
                      $"for {context.Epochs} epochs x {context.StepsPerEpoch} steps of {context.BatchSize} ({context.Data.TrainIds.Count} training, {context.Data.ValidationIds.Count} validation cases), loss {context.Loss.Name}");
        if (context.Data.ValidationIds.Count == 0)
            log.WriteLine("no validation cases: best.ckpt is not kept; last.ckpt is written after every epoch.");
    }

    public void OnEpochEnd(TrainingContext context, EpochOutcome outcome)
    {
        var record = outcome.Record;
        // InvariantGlobalization is on: numbers always print with '.'.
        log.WriteLine(
            $"epoch {outcome.Epoch}/{context.Epochs}  loss {record.TrainLoss:0.0000}" +
            (outcome.Score is { } v ? $"  val {context.ScoreName} {v * 100:0.00}%" : "") +
            (context.BestScore is { } bs ? $"  (best {bs * 100:0.00}% @{context.BestEpoch})" : "") +
            $"  lr {record.LearningRate:0.0e+00}  {record.ImagesPerSecond:0.0} img/s  {record.Seconds:0}s  rss {record.RssMegabytes:0} MB");
        log.Flush();
    }
}
