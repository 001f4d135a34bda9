using SoSeg.Augmentation;
using SoSeg.Checkpoints;
using SoSeg.Losses;
using SoSeg.Models;
using SoSeg.Models.Catalog;
using SoSeg.Monitoring;
using SoSeg.Runtime;
using SoSeg.Training.Callbacks;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Training.Recipes;

/// <summary>
/// The paper's training recipe, assembled in one place from the open <see cref="Trainer"/>'s pieces: the model
/// built by name after seeding, the loss the options name (the model's own paper loss for "model"), AdamW and
/// warm-up + cosine (<see cref="Trainer.DefaultOptimizer"/>, <see cref="Trainer.DefaultSchedule"/>), and the
/// callbacks that keep a run folder: TensorBoard, `best`/`last` checkpoints, metrics.csv, the caller's own
/// callbacks (e.g. curves), the log line per epoch and, when asked, early stopping. Resuming continues from the
/// run's `last` checkpoint.
/// </summary>
public static class PaperRecipe
{
    /// <summary>Trains in <paramref name="run"/> from the start, or from its `last` checkpoint when <paramref name="resume"/> is set.</summary>
    /// <param name="callbacks">More callbacks, called after metrics.csv is written and before the epoch's log line.</param>
    public static TrainingResult Train(TrainingOptions options, TrainingData data, Device device, RunFolder run,
        AugmentationPipeline augmentation, IValidator validator, IProgressReporter progress, TextWriter log, bool resume,
        CancellationToken cancel = default, IEnumerable<ITrainingCallback>? callbacks = null)
    {
        if (data.TrainIds.Count == 0) throw new SoSegException($"{data.DatasetName}: no training cases.");
        options.Validate();
        TorchRuntime.Seed(options.Seed, device);
        var modelOptions = new ModelOptions(options.ModelOptions);
        var model = ModelRegistry.Create(options.Model, data.Channels, data.NumClasses, modelOptions);
        model.to(device);
        model.Precision = options.Precision;
        model.ChannelsLast = options.ChannelsLast;
        var loss = LossRegistry.Create(options.Loss, ModelRegistry.PaperLoss(options.Model, modelOptions));

        var start = TrainingStart.Fresh;
        Action<Optimization.ITrainingOptimizer>? restore = null;
        if (resume && File.Exists(run.LastCheckpoint))
        {
            start = Restore(options, data, run, model, validator.ScoreName, log);
            restore = optimizer => Checkpoint.LoadOptimizer(run.LastCheckpoint, optimizer.State);
        }
        if (start.Epoch >= options.Epochs)
        {
            log.WriteLine($"{run.Folder}: all {options.Epochs} epochs are done already.");
            return new TrainingResult(run, start.Epoch, start.BestScore, start.BestEpoch, start.Records, Interrupted: false);
        }

        var description = new CheckpointInfo
        {
            Model = options.Model,
            ModelOptions = options.ModelOptions,
            InChannels = data.Channels,
            NumClasses = data.NumClasses,
            ClassNames = data.ClassNames,
            LabelValues = data.LabelValues,
            WindowSize = options.ValidationPrediction.WindowSize,
            Dataset = data.DatasetName,
        };
        List<ITrainingCallback> all =
        [
            new TensorBoardCallback(run.TensorBoardFolder),
            new CheckpointCallback(run, description),
            new MetricsCsvCallback(run.MetricsCsv),
            .. callbacks ?? [],
            new EpochLogCallback(log, options.Model),
        ];
        if (options.EarlyStop is { } patience) all.Add(new EarlyStopCallback(patience, log));
        var trainer = new Trainer(model, loss, options, data, device, augmentation, validator, progress, callbacks: all);
        var fit = trainer.Fit(start, restore, cancel);
        return new TrainingResult(run, fit.EpochsDone, fit.BestScore, fit.BestEpoch, fit.Epochs, fit.Interrupted, fit.StopReason);
    }

    /// <summary>
    /// Loads the `last` checkpoint's weights into <paramref name="model"/> and returns where the run continues; metrics.csv
    /// is reconciled with the rows the checkpoint carries.
    /// </summary>
    static TrainingStart Restore(TrainingOptions options, TrainingData data, RunFolder run, SegmentationModel model, string scoreName, TextWriter log)
    {
        var info = Checkpoint.ReadInfo(run.LastCheckpoint);
        if (info.Unverified) log.WriteLine(CheckpointInfo.UnverifiedNote(run.LastCheckpoint));
        if (info.Model != options.Model || info.NumClasses != data.NumClasses || info.InChannels != data.Channels)
            throw new SoSegException($"{run.LastCheckpoint}: was made for {info.Model} ({info.InChannels} channel(s), {info.NumClasses} classes), not {options.Model} ({data.Channels}, {data.NumClasses}).");
        Checkpoint.LoadWeights(run.LastCheckpoint, model);
        double? bestScore = info.BestScore;
        int? bestEpoch = info.BestEpoch;
        if (info.ScoreName != "val_" + scoreName && bestScore is not null)
        {
            // A best kept by another score cannot be compared with this one: the next validated epoch replaces it.
            log.WriteLine($"{run.BestCheckpoint}: chosen by {info.ScoreName}, this run selects by val_{scoreName}; the next validated epoch replaces it.");
            bestScore = null;
            bestEpoch = null;
        }
        var records = ReconcileMetrics(run, info, log);
        log.WriteLine($"resuming {run.Folder} after epoch {info.Epoch} of {options.Epochs}" +
                      (bestScore is { } b ? $" (best {scoreName} {b * 100:0.00}% at epoch {bestEpoch})" : ""));
        return new TrainingStart(info.Epoch, records, bestScore, bestEpoch);
    }

    /// <summary>
    /// metrics.csv as the `last` checkpoint records it: rows lost by a crash between writing the checkpoint and the CSV
    /// are restored, rows of epochs the checkpoint does not hold (not finished) are dropped. Checkpoints from before
    /// the rows travelled with them leave the CSV as it is, up to their epoch.
    /// </summary>
    static List<EpochRecord> ReconcileMetrics(RunFolder run, CheckpointInfo info, TextWriter log)
    {
        if (info.Epochs is null) return EpochRecord.ReadCsv(run.MetricsCsv).Where(r => r.Epoch <= info.Epoch).ToList();
        var records = info.Epochs.ToList();
        List<EpochRecord> onDisk;
        try { onDisk = EpochRecord.ReadCsv(run.MetricsCsv); }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
        {
            onDisk = []; // damaged: every row is rewritten from the checkpoint
        }
        var missing = records.Select(r => r.Epoch).Except(onDisk.Select(r => r.Epoch)).ToList();
        if (missing.Count > 0 || onDisk.Count != records.Count)
        {
            if (missing.Count > 0)
                log.WriteLine($"{run.MetricsCsv}: restoring the row(s) of epoch {string.Join(", ", missing)} from {run.LastCheckpoint} (lost when the run was interrupted)");
            EpochRecord.WriteCsv(run.MetricsCsv, records);
        }
        return records;
    }
}
