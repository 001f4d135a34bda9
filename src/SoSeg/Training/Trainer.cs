using System.Diagnostics;
using SoSeg.Augmentation;
using SoSeg.Checkpoints;
using SoSeg.Models;
using SoSeg.Monitoring;
using SoSeg.Runtime;
using SoSeg.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Training;

/// <summary>
/// The training loop, open to what it trains: a model instance, a loss, an optimizer and a learning-rate schedule
/// (factories; the paper's AdamW and warm-up + cosine when not given), and callbacks that do everything else
/// (checkpoints, metrics.csv, TensorBoard, curves, log lines, early stopping). One dispose scope per step (memory
/// stays flat), images decoded on background threads while the model computes, validation after each epoch.
/// Every epoch re-seeds all random generators from (seed, epoch), so a resumed run continues exactly where the
/// interrupted one would have. <see cref="Recipes.PaperRecipe"/> assembles the paper's pieces.
/// </summary>
public sealed class Trainer
{
    readonly SegmentationModel _model;
    readonly ISegmentationLoss _loss;
    readonly TrainingOptions _options;
    readonly TrainingData _data;
    readonly Device _device;
    readonly AugmentationPipeline _augmentation;
    readonly IValidator _validator;
    readonly IProgressReporter _progress;
    readonly Func<IEnumerable<Parameter>, ITrainingOptimizer> _optimizerFactory;
    readonly Func<long, int, ILearningRateSchedule> _scheduleFactory;
    readonly IReadOnlyList<ITrainingCallback> _callbacks;
    readonly ForegroundSliceSampler? _sliceSampler;

    /// <param name="model">The network to train, already on <paramref name="device"/>.</param>
    /// <param name="loss">The training loss.</param>
    /// <param name="options">The loop's settings: epochs, batch, steps per epoch, seed, validation interval, loader threads.</param>
    /// <param name="optimizer">Builds the optimizer over the model's parameters (null: AdamW with the options' rate, betas and weight decay).</param>
    /// <param name="schedule">Builds the learning-rate schedule from the total steps and the steps per epoch (null: the paper's warm-up + cosine).</param>
    /// <param name="callbacks">Called in order after each step and epoch.</param>
    public Trainer(SegmentationModel model, ISegmentationLoss loss, TrainingOptions options, TrainingData data, Device device,
                   AugmentationPipeline augmentation, IValidator validator, IProgressReporter? progress = null,
                   Func<IEnumerable<Parameter>, ITrainingOptimizer>? optimizer = null,
                   Func<long, int, ILearningRateSchedule>? schedule = null,
                   IEnumerable<ITrainingCallback>? callbacks = null)
    {
        if (data.TrainIds.Count == 0) throw new SoSegException($"{data.DatasetName}: no training cases.");
        _model = model;
        _loss = loss;
        _options = options;
        _data = data;
        _device = device;
        _augmentation = augmentation;
        _validator = validator;
        _progress = progress ?? SilentProgress.Instance;
        _optimizerFactory = optimizer ?? (parameters => DefaultOptimizer(options, parameters));
        _scheduleFactory = schedule ?? ((totalSteps, stepsPerEpoch) => DefaultSchedule(options, totalSteps, stepsPerEpoch));
        _callbacks = callbacks?.ToList() ?? [];
        if (data.TrainSlices is { } slices && augmentation.Options.OversampleForeground > 0)
        {
            if (slices.Count != data.TrainIds.Count)
                throw new ArgumentException($"{data.DatasetName}: {slices.Count} training slice entries for {data.TrainIds.Count} training ids.", nameof(data));
            _sliceSampler = new ForegroundSliceSampler(slices, augmentation.Options.OversampleForeground);
        }
    }

    /// <summary>The paper's optimizer: AdamW with the options' learning rate, betas and weight decay.</summary>
    public static ITrainingOptimizer DefaultOptimizer(TrainingOptions options, IEnumerable<Parameter> parameters) =>
        TrainingOptimizers.AdamW(options.Optimizer, parameters, options.LearningRate, options.Beta1, options.Beta2, options.WeightDecay);

    /// <summary>The paper's schedule: linear warm-up over the options' warm-up epochs, then cosine decay to the minimum rate.</summary>
    public static ILearningRateSchedule DefaultSchedule(TrainingOptions options, long totalSteps, int stepsPerEpoch) =>
        new LearningRateSchedule(options.LearningRate, options.MinLearningRate, totalSteps, (long)Math.Round(options.WarmupEpochs * stepsPerEpoch));

    /// <summary>Steps in one epoch.</summary>
    public int StepsPerEpoch => StepsPerEpochOf(_options, _data);

    /// <summary>Steps in one epoch: the options' steps per epoch, or one pass over the training cases.</summary>
    public static int StepsPerEpochOf(TrainingOptions options, TrainingData data) =>
        options.StepsPerEpoch ?? (int)Math.Ceiling(data.TrainIds.Count / (double)options.BatchSize);

    /// <summary>
    /// Trains from <paramref name="start"/> (null: the first epoch) to the last epoch, until cancelled or a callback stops it.
    /// <paramref name="restore"/> runs once the optimizer exists, before the first epoch (a resumed run loads its state there).
    /// </summary>
    public FitResult Fit(TrainingStart? start = null, Action<ITrainingOptimizer>? restore = null, CancellationToken cancel = default)
    {
        start ??= TrainingStart.Fresh;
        using var optimizer = _optimizerFactory(_model.parameters());
        restore?.Invoke(optimizer);
        int stepsPerEpoch = StepsPerEpoch;
        var schedule = _scheduleFactory((long)stepsPerEpoch * _options.Epochs, stepsPerEpoch);
        var context = new TrainingContext
        {
            Model = _model, Optimizer = optimizer, Loss = _loss, Data = _data, Device = _device,
            Epochs = _options.Epochs, StepsPerEpoch = stepsPerEpoch, BatchSize = _options.BatchSize,
            ScoreName = _validator.ScoreName, Start = start,
            BestScore = start.BestScore, BestEpoch = start.BestEpoch,
        };
        context.Records.AddRange(start.Records);
        foreach (var callback in _callbacks) callback.OnTrainingStart(context);

        bool interrupted = false;
        for (int epoch = start.Epoch; epoch < _options.Epochs; epoch++)
        {
            var (record, stopped) = TrainEpoch(context, optimizer, schedule, epoch, stepsPerEpoch, cancel);
            if (stopped) { interrupted = true; break; }

            bool validate = (epoch + 1) % Math.Max(1, _options.ValidateEvery) == 0 || epoch + 1 == _options.Epochs;
            double? score = null;
            bool eligible = false;
            if (validate && _data.ValidationIds.Count > 0)
            {
                var metrics = _progress.Run(ctx => _validator.Validate(_model, _data, ctx.AddTask($"validate {epoch + 1}/{_options.Epochs}", _data.ValidationIds.Count)));
                _model.train();
                record = record with { Validation = metrics };
                score = metrics[_validator.ScoreName];
                eligible = SelectionScore.Eligible(metrics);
            }
            context.Records.Add(record);

            // An epoch that predicts no foreground on validation data that has some is never `best`, whatever the score.
            bool improved = eligible && score is { } s && (context.BestScore is null || s > context.BestScore);
            if (improved) { context.BestScore = score; context.BestEpoch = epoch + 1; }
            var outcome = new EpochOutcome(record, score, improved);
            foreach (var callback in _callbacks) callback.OnEpochEnd(context, outcome);
            if (context.StopReason is not null) break;
        }
        var records = context.Records.ToList();
        return new FitResult(records.Count == 0 ? start.Epoch : records[^1].Epoch, context.BestScore, context.BestEpoch, records,
                             interrupted, context.StopReason);
    }

    (EpochRecord Record, bool Interrupted) TrainEpoch(TrainingContext context, ITrainingOptimizer optimizer, ILearningRateSchedule schedule,
        int epoch, int stepsPerEpoch, CancellationToken cancel)
    {
        // Everything random in this epoch derives from (seed, epoch): resuming at an epoch boundary is exact.
        long epochSeed = unchecked(_options.Seed * 1_000_003 + epoch);
        TorchRuntime.Seed(epochSeed, _device);
        // Augmentation draws on the CPU so the same seed gives the same batches on every device.
        using var generator = new Generator((ulong)epochSeed);
        var order = EpochOrder(epochSeed);
        var focus = _sliceSampler?.Draw(order, epochSeed);
        _model.train();

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
                    // Not a conditional expression: its null would become an empty ArraySegment (the implicit conversion from arrays).
                    IReadOnlyList<CropFocus>? batchFocus = null;
                    if (focus is not null) batchFocus = new ArraySegment<CropFocus>(focus, step * _options.BatchSize, samples.Count);
                    var (inputs, targets) = _augmentation.Apply(samples, _device, generator, batchFocus);
                    optimizer.ZeroGrad();
                    var output = _loss.UsesSideOutputs ? _model.ForwardWithSideOutputs(inputs) : new SegmentationOutput(_model.call(inputs));
                    var lossValue = _loss.Compute(output, targets);
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
                var done = new TrainingStep(epoch, globalStep, value, lastRate);
                foreach (var callback in _callbacks) callback.OnStep(context, done);
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

/// <summary>How <see cref="Trainer.Fit"/> ended: epochs done, the best epoch and score, every epoch's record.</summary>
/// <param name="Interrupted">Cancelled during an epoch (that epoch is not counted).</param>
/// <param name="StopReason">Why a callback stopped the run early, or null.</param>
public sealed record FitResult(int EpochsDone, double? BestScore, int? BestEpoch, IReadOnlyList<EpochRecord> Epochs,
                               bool Interrupted, string? StopReason = null);

/// <summary>How a training run in a run folder ended.</summary>
public sealed record TrainingResult(RunFolder Run, int EpochsDone, double? BestScore, int? BestEpoch,
                                    IReadOnlyList<EpochRecord> Epochs, bool Interrupted, string? StopReason = null);
