using System.Diagnostics;
using SoSeg.Augmentation;
using SoSeg.Models;
using SoSeg.Runtime;
using SoSeg.Monitoring;
using SoSeg.Losses;
using SoSeg.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Checkpoints;
using SoSeg.Models.Catalog;

namespace SoSeg.Training;

/// <summary>
/// The training loop: AdamW with warm-up + cosine learning rate, one dispose scope per step (memory
/// stays flat), images decoded on background threads while the model computes, validation and
/// checkpoints (`last` every epoch, `best` by the validation score) after each epoch, metrics.csv,
/// TensorBoard events and a training-curve PNG in the run folder. Every epoch re-seeds all random
/// generators from (seed, epoch), so a resumed run continues exactly where the interrupted one would have.
/// </summary>
public sealed class Trainer
{
    readonly TrainingOptions _options;
    readonly TrainingData _data;
    readonly Device _device;
    readonly RunFolder _run;
    readonly AugmentationPipeline _augmentation;
    readonly IValidator _validator;
    readonly IProgressReporter _progress;
    readonly TextWriter _log;
    readonly Action<IReadOnlyList<EpochRecord>, string>? _metricsWritten;

    /// <param name="metricsWritten">Called with every epoch's record and the score name each time metrics.csv is
    /// written (the application draws training-curves.png from it).</param>
    public Trainer(TrainingOptions options, TrainingData data, Device device, RunFolder run,
                   AugmentationPipeline augmentation, IValidator validator, IProgressReporter progress, TextWriter log,
                   Action<IReadOnlyList<EpochRecord>, string>? metricsWritten = null)
    {
        if (data.TrainIds.Count == 0) throw new SoSegException($"{data.DatasetName}: no training cases.");
        options.Validate();
        _options = options;
        _data = data;
        _device = device;
        _run = run;
        _augmentation = augmentation;
        _validator = validator;
        _progress = progress;
        _log = log;
        _metricsWritten = metricsWritten;
    }

    /// <summary>Steps in one epoch.</summary>
    public int StepsPerEpoch => _options.StepsPerEpoch ?? (int)Math.Ceiling(_data.TrainIds.Count / (double)_options.BatchSize);

    /// <summary>Trains from the start, or continues from the run's `last` checkpoint when <paramref name="resume"/> is set.</summary>
    public TrainingResult Run(bool resume, CancellationToken cancel = default)
    {
        TorchRuntime.Seed(_options.Seed, _device);
        var modelOptions = ModelOptions.Parse(_options.ModelOptions.Select(kv => $"{kv.Key}={kv.Value}"));
        var model = ModelRegistry.Create(_options.Model, _data.Channels, _data.NumClasses, modelOptions);
        model.to(_device);
        model.Precision = _options.Precision;
        model.ChannelsLast = _options.ChannelsLast;
        using var optimizer = TrainingOptimizers.AdamW(_options.Optimizer, model.parameters(), _options.LearningRate,
            _options.Beta1, _options.Beta2, _options.WeightDecay);
        var loss = LossRegistry.Create(_options.Loss, ModelRegistry.PaperLoss(_options.Model, modelOptions));

        int stepsPerEpoch = StepsPerEpoch;
        long totalSteps = (long)stepsPerEpoch * _options.Epochs;
        var schedule = new LearningRateSchedule(_options.LearningRate, _options.MinLearningRate, totalSteps,
            (long)Math.Round(_options.WarmupEpochs * stepsPerEpoch));

        var records = new List<EpochRecord>();
        int startEpoch = 0;
        double? bestScore = null;
        int? bestEpoch = null;
        if (resume && File.Exists(_run.LastCheckpoint))
        {
            var info = Checkpoint.ReadInfo(_run.LastCheckpoint);
            if (info.Unverified) _log.WriteLine(CheckpointInfo.UnverifiedNote(_run.LastCheckpoint));
            if (info.Model != _options.Model || info.NumClasses != _data.NumClasses || info.InChannels != _data.Channels)
                throw new SoSegException($"{_run.LastCheckpoint}: was made for {info.Model} ({info.InChannels} channel(s), {info.NumClasses} classes), not {_options.Model} ({_data.Channels}, {_data.NumClasses}).");
            Checkpoint.LoadWeights(_run.LastCheckpoint, model);
            Checkpoint.LoadOptimizer(_run.LastCheckpoint, optimizer.State);
            startEpoch = info.Epoch;
            bestScore = info.BestScore;
            bestEpoch = info.BestEpoch;
            if (info.ScoreName != "val_" + _validator.ScoreName && bestScore is not null)
            {
                // A best kept by another score cannot be compared with this one: the next validated epoch replaces it.
                _log.WriteLine($"{_run.BestCheckpoint}: chosen by {info.ScoreName}, this run selects by val_{_validator.ScoreName}; the next validated epoch replaces it.");
                bestScore = null;
                bestEpoch = null;
            }
            records = ReconcileMetrics(info);
            _log.WriteLine($"resuming {_run.Folder} after epoch {startEpoch} of {_options.Epochs}" +
                           (bestScore is { } b ? $" (best {_validator.ScoreName} {b * 100:0.00}% at epoch {bestEpoch})" : ""));
        }
        if (startEpoch >= _options.Epochs)
        {
            _log.WriteLine($"{_run.Folder}: all {_options.Epochs} epochs are done already.");
            return new TrainingResult(_run, startEpoch, bestScore, bestEpoch, records, Interrupted: false);
        }

        _log.WriteLine($"training {_options.Model} ({model.ParameterCount():N0} parameters) on {_device.type.ToString().ToLowerInvariant()} " +
                       $"for {_options.Epochs} epochs x {stepsPerEpoch} steps of {_options.BatchSize} ({_data.TrainIds.Count} training, {_data.ValidationIds.Count} validation cases), loss {loss.Name}");
        if (_data.ValidationIds.Count == 0)
            _log.WriteLine("no validation cases: best.ckpt is not kept; last.ckpt is written after every epoch.");
        var tensorBoard = torch.utils.tensorboard.SummaryWriter(_run.TensorBoardFolder);

        bool interrupted = false;
        for (int epoch = startEpoch; epoch < _options.Epochs && !interrupted; epoch++)
        {
            var (record, stopped) = TrainEpoch(model, optimizer, loss, schedule, epoch, stepsPerEpoch, tensorBoard, cancel);
            if (stopped) { interrupted = true; break; }

            bool validate = (epoch + 1) % Math.Max(1, _options.ValidateEvery) == 0 || epoch + 1 == _options.Epochs;
            double? score = null;
            bool eligible = false;
            if (validate && _data.ValidationIds.Count > 0)
            {
                var metrics = _progress.Run(ctx => _validator.Validate(model, _data, ctx.AddTask($"validate {epoch + 1}/{_options.Epochs}", _data.ValidationIds.Count)));
                model.train();
                record = record with { Validation = metrics };
                score = metrics[_validator.ScoreName];
                eligible = SelectionScore.Eligible(metrics);
                foreach (var (name, value) in metrics) tensorBoard.add_scalar($"val/{name}", (float)value, epoch + 1);
            }
            records.Add(record);

            // An epoch that predicts no foreground on validation data that has some is never `best`, whatever the score.
            bool improved = eligible && score is { } s && (bestScore is null || s > bestScore);
            if (improved) { bestScore = score; bestEpoch = epoch + 1; }
            var info = MakeInfo(epoch + 1, (long)(epoch + 1) * stepsPerEpoch, score, bestScore, bestEpoch);
            // `best` first: if the process dies between the two writes, `last` still points to the older epoch, which resumes correctly.
            if (improved) Checkpoint.Save(_run.BestCheckpoint, model, info);
            // `last` carries metrics.csv's rows: if the process dies before the CSV below is replaced, resume restores the row.
            Checkpoint.Save(_run.LastCheckpoint, model, info with { Epochs = records.ToList() }, optimizer.State);
            EpochRecord.WriteCsv(_run.MetricsCsv, records);
            _metricsWritten?.Invoke(records, _validator.ScoreName);

            // InvariantGlobalization is on: numbers always print with '.'.
            _log.WriteLine(
                $"epoch {epoch + 1}/{_options.Epochs}  loss {record.TrainLoss:0.0000}" +
                (score is { } v ? $"  val {_validator.ScoreName} {v * 100:0.00}%" : "") +
                (bestScore is { } bs ? $"  (best {bs * 100:0.00}% @{bestEpoch})" : "") +
                $"  lr {record.LearningRate:0.0e+00}  {record.ImagesPerSecond:0.0} img/s  {record.Seconds:0}s  rss {record.RssMegabytes:0} MB");
            _log.Flush();
        }
        return new TrainingResult(_run, records.Count == 0 ? startEpoch : records[^1].Epoch, bestScore, bestEpoch, records, interrupted);
    }

    /// <summary>
    /// metrics.csv as the `last` checkpoint records it: rows lost by a crash between writing the checkpoint and the CSV
    /// are restored, rows of epochs the checkpoint does not hold (not finished) are dropped. Checkpoints from before
    /// the rows travelled with them leave the CSV as it is, up to their epoch.
    /// </summary>
    List<EpochRecord> ReconcileMetrics(CheckpointInfo info)
    {
        if (info.Epochs is null) return EpochRecord.ReadCsv(_run.MetricsCsv).Where(r => r.Epoch <= info.Epoch).ToList();
        var records = info.Epochs.ToList();
        List<EpochRecord> onDisk;
        try { onDisk = EpochRecord.ReadCsv(_run.MetricsCsv); }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
        {
            onDisk = []; // damaged: every row is rewritten from the checkpoint
        }
        var missing = records.Select(r => r.Epoch).Except(onDisk.Select(r => r.Epoch)).ToList();
        if (missing.Count > 0 || onDisk.Count != records.Count)
        {
            if (missing.Count > 0)
                _log.WriteLine($"{_run.MetricsCsv}: restoring the row(s) of epoch {string.Join(", ", missing)} from {_run.LastCheckpoint} (lost when the run was interrupted)");
            EpochRecord.WriteCsv(_run.MetricsCsv, records);
            _metricsWritten?.Invoke(records, _validator.ScoreName);
        }
        return records;
    }

    CheckpointInfo MakeInfo(int epoch, long step, double? score, double? bestScore, int? bestEpoch) => new()
    {
        Model = _options.Model,
        ModelOptions = _options.ModelOptions,
        InChannels = _data.Channels,
        NumClasses = _data.NumClasses,
        ClassNames = _data.ClassNames,
        LabelValues = _data.LabelValues,
        Epoch = epoch,
        Step = step,
        ScoreName = "val_" + _validator.ScoreName,
        Score = score,
        BestScore = bestScore,
        BestEpoch = bestEpoch,
        CropSize = _options.CropSize,
        Dataset = _data.DatasetName,
    };

    (EpochRecord Record, bool Interrupted) TrainEpoch(SegmentationModel model, ITrainingOptimizer optimizer, ISegmentationLoss loss,
        LearningRateSchedule schedule, int epoch, int stepsPerEpoch, TorchSharp.Modules.SummaryWriter tensorBoard, CancellationToken cancel)
    {
        // Everything random in this epoch derives from (seed, epoch): resuming at an epoch boundary is exact.
        long epochSeed = unchecked(_options.Seed * 1_000_003 + epoch);
        TorchRuntime.Seed(epochSeed, _device);
        // Augmentation draws on the CPU so the same seed gives the same batches on every device.
        using var generator = new Generator((ulong)epochSeed);
        var order = EpochOrder(epochSeed);
        model.train();

        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        long images = 0;
        int stepsDone = 0;
        double lastRate = 0;
        bool interrupted = false;
        _progress.Run(ctx =>
        {
            var task = ctx.AddTask($"epoch {epoch + 1}/{_options.Epochs}", stepsPerEpoch);
            var next = LoadBatchAsync(order, 0);
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                if (cancel.IsCancellationRequested) { interrupted = true; break; }
                var samples = next.GetAwaiter().GetResult();
                if (step + 1 < stepsPerEpoch) next = LoadBatchAsync(order, step + 1);

                long globalStep = (long)epoch * stepsPerEpoch + step;
                lastRate = schedule.At(globalStep);
                optimizer.LearningRate = lastRate;

                float value;
                using (var scope = NewDisposeScope())
                {
                    var (inputs, targets) = _augmentation.Apply(samples, _device, generator);
                    optimizer.ZeroGrad();
                    var output = loss.UsesSideOutputs ? model.ForwardWithSideOutputs(inputs) : new SegmentationOutput(model.call(inputs));
                    var lossValue = loss.Compute(output, targets);
                    lossValue.backward();
                    optimizer.Step();
                    value = lossValue.item<float>();
                }
                if (!float.IsFinite(value))
                    throw SettingError.Naming(new SoSegException($"training diverged: loss is {value} at epoch {epoch + 1}, step {step + 1} (learning rate {lastRate:0.0e+00}). " +
                                             "Lower LearningRate, check the data for NaN intensities, or use Loss ce."), "LearningRate", "Loss");
                lossSum += value;
                images += samples.Count;
                stepsDone++;
                task.Advance();
                double rate = images / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                task.Status($"loss {lossSum / (step + 1):0.0000} lr {lastRate:0.0e+00} {rate:0.0} img/s");
                tensorBoard.add_scalar("train/loss", value, (int)globalStep);
                tensorBoard.add_scalar("train/lr", (float)lastRate, (int)globalStep);
                if (globalStep % 50 == 0) tensorBoard.add_scalar("system/rss_mb", (float)ProcessMemory.ResidentMegabytes(), (int)globalStep);
            }
            if (!interrupted) task.Complete();
        });
        var record = new EpochRecord
        {
            Epoch = epoch + 1,
            Steps = (long)(epoch + 1) * stepsPerEpoch,
            TrainLoss = lossSum / Math.Max(1, stepsDone),
            LearningRate = lastRate,
            Seconds = clock.Elapsed.TotalSeconds,
            ImagesPerSecond = images / Math.Max(1e-9, clock.Elapsed.TotalSeconds),
            RssMegabytes = ProcessMemory.ResidentMegabytes(),
        };
        return (record, interrupted);
    }

    /// <summary>Training ids in this epoch's order: a seeded shuffle, repeated if the epoch needs more cases than there are.</summary>
    int[] EpochOrder(long epochSeed)
    {
        int needed = StepsPerEpoch * _options.BatchSize;
        var random = new Random(unchecked((int)(epochSeed ^ (epochSeed >> 32))));
        var order = new List<int>(needed);
        while (order.Count < needed)
        {
            var pass = Enumerable.Range(0, _data.TrainIds.Count).ToArray();
            random.Shuffle(pass);
            order.AddRange(pass);
        }
        // One pass over the data (no repeats) ends with a short batch rather than reusing cases.
        if (_options.StepsPerEpoch is null) return order.Take(_data.TrainIds.Count).ToArray();
        return order.Take(needed).ToArray();
    }

    Task<IReadOnlyList<Data.SegmentationSample>> LoadBatchAsync(int[] order, int step) => Task.Run(() =>
    {
        int start = step * _options.BatchSize;
        int count = Math.Min(_options.BatchSize, order.Length - start);
        var samples = new Data.SegmentationSample[count];
        ParallelLoops.Run(() => Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _options.LoaderThreads },
            i => samples[i] = _data.Load(_data.TrainIds[order[start + i]])));
        return (IReadOnlyList<Data.SegmentationSample>)samples;
    });
}

/// <summary>How a training run ended.</summary>
public sealed record TrainingResult(RunFolder Run, int EpochsDone, double? BestScore, int? BestEpoch,
                                    IReadOnlyList<EpochRecord> Epochs, bool Interrupted);
