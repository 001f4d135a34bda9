using SoSeg.App.Training;
using SoSeg.Augmentation;
using SoSeg.Losses;
using SoSeg.Models;
using SoSeg.Models.Catalog;
using SoSeg.Monitoring;
using SoSeg.Runtime;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using SoSeg.Training.Callbacks;
using SoSeg.Training.Optimization;
using TorchSharp;

namespace SoSeg.Tests.Training;

/// <summary>
/// The trainer takes what it trains from its caller: a model instance, a loss, optimizer and schedule factories,
/// and callbacks that see every step and epoch and can stop the run.
/// </summary>
[Collection(SequentialCollection.Name)]
public class OpenTrainerTests : IDisposable
{
    readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Callbacks_see_every_step_at_the_given_schedule_and_the_given_optimizer_is_used()
    {
        var (data, options) = Setup(epochs: 2, stepsPerEpoch: 3);
        using var model = ModelRegistry.Create("unet", data.Channels, data.NumClasses, ModelOptions.Parse(["base-width=4"]));
        int optimizersMade = 0;
        var recorder = new Recorder();
        var trainer = new Trainer(model, new CrossEntropyLoss(), options, data, TorchRuntime.Resolve(DeviceSpec.Cpu),
            new AugmentationPipeline(options.Augmentation), new ScoresInOrder([0.5, 0.6]),
            optimizer: parameters => { optimizersMade++; return new PerTensorAdamW(parameters, 1e-3, 0.9, 0.999, 0); },
            schedule: (totalSteps, stepsPerEpoch) => new ConstantRate(totalSteps * 1e-4 + stepsPerEpoch * 1e-5),
            callbacks: [recorder]);

        var result = trainer.Fit();

        Assert.Equal(1, optimizersMade);
        // 2 epochs x 3 steps; the schedule was built from total 6 steps and 3 steps per epoch.
        Assert.Equal([0L, 1, 2, 3, 4, 5], recorder.Steps.Select(s => s.GlobalStep));
        Assert.All(recorder.Steps, s => Assert.Equal(6e-4 + 3e-5, s.LearningRate, 12));
        Assert.Equal([1, 2], recorder.Epochs.Select(e => e.Epoch));
        Assert.Equal([true, true], recorder.Epochs.Select(e => e.Improved));
        Assert.Equal(2, result.EpochsDone);
        Assert.Equal(2, result.BestEpoch);
        Assert.Equal(0.6, result.BestScore);
        Assert.Null(result.StopReason);
    }

    [Fact]
    public void Early_stop_ends_the_run_after_the_given_epochs_without_a_better_score()
    {
        var (data, options) = Setup(epochs: 6, stepsPerEpoch: 1);
        using var model = ModelRegistry.Create("unet", data.Channels, data.NumClasses, ModelOptions.Parse(["base-width=4"]));
        var log = new StringWriter();
        var trainer = new Trainer(model, new CrossEntropyLoss(), options, data, TorchRuntime.Resolve(DeviceSpec.Cpu),
            new AugmentationPipeline(options.Augmentation), new ScoresInOrder([0.5, 0.7, 0.6, 0.65, 0.9, 0.9]),
            callbacks: [new EarlyStopCallback(2, log)]);

        var result = trainer.Fit();

        // Best at epoch 2 (0.7); epochs 3 and 4 do not beat it: the run stops after epoch 4 of 6.
        Assert.Equal(4, result.EpochsDone);
        Assert.Equal(2, result.BestEpoch);
        Assert.False(result.Interrupted);
        Assert.NotNull(result.StopReason);
        Assert.Contains("early stop after epoch 4", log.ToString());
    }

    [Fact]
    public void Early_stop_needs_at_least_one_epoch()
    {
        Assert.Throws<ArgumentException>(() => new EarlyStopCallback(0));
        var error = Assert.Throws<ArgumentException>(() => new TrainingOptions { Model = "unet", EarlyStop = 0 }.Validate());
        Assert.Equal("--early-stop must be at least 1 epoch (got 0).", SoSeg.Cli.SettingFlags.Describe(error));
    }

    (TrainingData Data, TrainingOptions Options) Setup(int epochs, int stepsPerEpoch)
    {
        string dataset = TinySpotDataset.Write(Path.Combine(_folder.Path, "data"), train: 4, test: 1);
        var config = new TrainConfig
        {
            Data = dataset,
            Training = new TrainingOptions
            {
                Model = "unet", Epochs = epochs, BatchSize = 2, Augmentation = AugmentationOptions.Default with { CropSize = 32 }, Seed = 3, LoaderThreads = 1, StepsPerEpoch = stepsPerEpoch,
            },
        };
        var run = new RunFolder(Path.Combine(_folder.Path, "run"));
        Directory.CreateDirectory(run.Folder);
        return (TrainingSession.OpenData(config, run), config.Training);
    }

    sealed class ConstantRate(double rate) : ILearningRateSchedule
    {
        public double At(long step) => rate;
    }

    sealed class Recorder : ITrainingCallback
    {
        public List<TrainingStep> Steps { get; } = [];
        public List<EpochOutcome> Epochs { get; } = [];
        public void OnStep(TrainingContext context, TrainingStep step) => Steps.Add(step);
        public void OnEpochEnd(TrainingContext context, EpochOutcome outcome) => Epochs.Add(outcome);
    }

    /// <summary>A validator whose selection score is scripted per epoch (foreground found every time).</summary>
    sealed class ScoresInOrder(double[] scores) : IValidator
    {
        int _epoch;
        public string ScoreName => "score";
        public IReadOnlyDictionary<string, double> Validate(SegmentationModel model, TrainingData data, IProgressTask? progress) =>
            new Dictionary<string, double> { ["score"] = scores[_epoch++], [SelectionScore.EmptyPrediction] = 0 };
    }
}
