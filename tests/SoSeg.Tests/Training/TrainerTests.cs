using SoSeg.Data.Datasets;
using SoSeg.Models;
using SoSeg.Runtime;
using SoSeg.Monitoring;
using SoSeg.App.Terminal;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using TorchSharp;
using SoSeg.Checkpoints;
using SoSeg.App.Training;

namespace SoSeg.Tests.Training;

[Collection(SequentialCollection.Name)]
public class TrainerTests
{
    static TrainConfig TinyConfig(string data, int epochs = 2) => new()
    {
        Data = data,
        Training = new TrainingOptions
        {
            Model = "unet",
            ModelOptions = new() { ["base-width"] = "4" },
            Epochs = epochs,
            BatchSize = 2,
            LearningRate = 3e-3,
            MinLearningRate = 1e-4,
            WarmupEpochs = 0.5,
            Augmentation = SoSeg.Augmentation.AugmentationOptions.Default with { CropSize = 32 },
            Seed = 11,
            LoaderThreads = 1,
            Validation = new SoSeg.Inference.PredictionOptions { WindowSize = 64 },
        },
    };

    static Progress Quiet => new(plainOut: TextWriter.Null);

    [Fact]
    public void A_run_writes_config_splits_checkpoints_metrics_tensorboard_and_curves()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"));
        var run = new RunFolder(Path.Combine(folder.Path, "run"));
        var log = new StringWriter();
        var result = TrainingSession.Start(TinyConfig(data), run, TorchRuntime.Resolve(DeviceSpec.Cpu), Quiet, log);

        Assert.False(result.Interrupted);
        Assert.Equal(2, result.EpochsDone);
        foreach (var file in new[] { run.Config, run.Splits, run.LastCheckpoint, run.MetricsCsv, run.CurvePng })
            Assert.True(File.Exists(file), $"{file} missing");
        Assert.NotEmpty(Directory.GetFiles(run.TensorBoardFolder, "events.out.tfevents.*"));
        var records = EpochRecord.ReadCsv(run.MetricsCsv);
        Assert.Equal([1, 2], records.Select(r => r.Epoch));
        // best.ckpt exists exactly when some epoch found foreground (a tiny run may not; its empty epochs are never best).
        bool anyEligible = records.Any(r => r.Validation.TryGetValue(SelectionScore.EmptyPrediction, out var empty) && empty == 0);
        Assert.Equal(anyEligible, File.Exists(run.BestCheckpoint));
        Assert.All(records, r => Assert.True(double.IsFinite(r.TrainLoss) && r.Validation.ContainsKey("mDice")));
        var info = Checkpoint.ReadInfo(run.LastCheckpoint);
        Assert.Equal(2, info.Epoch);
        Assert.Equal(["background", "spot"], info.ClassNames);
        Assert.Contains("epoch 2/2", log.ToString());

        var again = Assert.Throws<SoSegException>(() => TrainingSession.Start(TinyConfig(data), run, TorchRuntime.Resolve(DeviceSpec.Cpu), Quiet, log));
        Assert.Contains("--resume", again.Message);
    }

    [Fact]
    public void An_interrupted_run_resumed_ends_exactly_where_an_uninterrupted_one_does()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"));
        var device = TorchRuntime.Resolve(DeviceSpec.Cpu);
        var config = TinyConfig(data, epochs: 3);

        var straight = new RunFolder(Path.Combine(folder.Path, "straight"));
        TrainingSession.Start(config, straight, device, Quiet, TextWriter.Null);

        // Interrupt after the first epoch: the cancellation lands during epoch 2, which is lost.
        var interrupted = new RunFolder(Path.Combine(folder.Path, "interrupted"));
        Directory.CreateDirectory(interrupted.Folder);
        config.Write(interrupted.Config);
        using (var cancel = new CancellationTokenSource())
        {
            var trainingData = TrainingSession.OpenData(config, interrupted);
            var validator = new CancellingValidator(new MetricValidator(device, config.Training.ValidationPrediction), cancel);
            var first = SoSeg.Training.Recipes.PaperRecipe.Train(config.Training, trainingData, device, interrupted,
                new SoSeg.Augmentation.AugmentationPipeline(config.Training.Augmentation), validator, Quiet, TextWriter.Null, resume: false, cancel.Token);
            Assert.True(first.Interrupted);
            Assert.Equal(1, Checkpoint.ReadInfo(interrupted.LastCheckpoint).Epoch);
        }
        var resumed = TrainingSession.Resume(interrupted, device, Quiet, TextWriter.Null);
        Assert.False(resumed.Interrupted);
        Assert.Equal(3, resumed.EpochsDone);

        var a = EpochRecord.ReadCsv(straight.MetricsCsv);
        var b = EpochRecord.ReadCsv(interrupted.MetricsCsv);
        Assert.Equal(a.Select(r => r.TrainLoss), b.Select(r => r.TrainLoss));
        Assert.Equal(a.Select(r => r.Validation["mDice"]), b.Select(r => r.Validation["mDice"]));
        CheckpointAssert.SameWeights(straight.LastCheckpoint, interrupted.LastCheckpoint);
    }

    [Fact]
    public void Resume_restores_metrics_rows_lost_or_damaged_after_the_checkpoint_was_written()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 4, test: 1);
        var device = TorchRuntime.Resolve(DeviceSpec.Cpu);
        var run = new RunFolder(Path.Combine(folder.Path, "run"));
        TrainingSession.Start(TinyConfig(data), run, device, Quiet, TextWriter.Null);
        string expected = File.ReadAllText(run.MetricsCsv);

        // What a crash between last.ckpt's rename and metrics.csv's leaves: the final epoch's row missing.
        File.WriteAllLines(run.MetricsCsv, File.ReadAllLines(run.MetricsCsv)[..^1]);
        var log = new StringWriter();
        var result = TrainingSession.Resume(run, device, Quiet, log);
        Assert.Contains("restoring the row(s) of epoch 2", log.ToString());
        Assert.Contains("all 2 epochs are done", log.ToString());
        Assert.Equal(2, result.Epochs.Count);
        Assert.Equal(expected, File.ReadAllText(run.MetricsCsv));

        File.WriteAllText(run.MetricsCsv, "epoch,steps\nnot,numbers\n");
        TrainingSession.Resume(run, device, Quiet, TextWriter.Null);
        Assert.Equal(expected, File.ReadAllText(run.MetricsCsv));
    }

    [Fact]
    public void Diverging_training_stops_with_a_clear_message()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 4, test: 1);
        var config = TinyConfig(data, epochs: 3) with { Training = TinyConfig(data).Training with { LearningRate = 1e30, MinLearningRate = 1e30, Epochs = 3 } };
        var error = Assert.Throws<SoSegException>(() =>
            TrainingSession.Start(config, new RunFolder(Path.Combine(folder.Path, "run")), TorchRuntime.Resolve(DeviceSpec.Cpu), Quiet, TextWriter.Null));
        Assert.Contains("diverged", error.Message);
    }

    [Fact]
    public void A_damaged_training_image_stops_training_with_its_name_not_an_aggregate_error()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 4, test: 1);
        string damaged = Path.Combine(data, "imagesTr", "spot_002_0000.png");
        byte[] bytes = File.ReadAllBytes(damaged);
        File.WriteAllBytes(damaged, bytes[..(bytes.Length / 2)]);
        var config = TinyConfig(data, epochs: 1) with { Training = TinyConfig(data).Training with { Epochs = 1, LoaderThreads = 2 } };
        var error = Assert.Throws<SoSegException>(() =>
            TrainingSession.Start(config, new RunFolder(Path.Combine(folder.Path, "run")), TorchRuntime.Resolve(DeviceSpec.Cpu), Quiet, TextWriter.Null));
        Assert.StartsWith(damaged + ": ", error.Message);
    }

    [Fact]
    public void Bad_options_are_refused_before_training()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 4, test: 1);
        var config = TinyConfig(data) with { Training = TinyConfig(data).Training with { MinLearningRate = 1 } };
        Assert.Throws<ArgumentException>(() =>
            TrainingSession.Start(config, new RunFolder(Path.Combine(folder.Path, "run")), TorchRuntime.Resolve(DeviceSpec.Cpu), Quiet, TextWriter.Null));
        var unknownModel = TinyConfig(data) with { Training = TinyConfig(data).Training with { Model = "unet3000" } };
        var error = Assert.Throws<ArgumentException>(() =>
            TrainingSession.Start(unknownModel, new RunFolder(Path.Combine(folder.Path, "run2")), TorchRuntime.Resolve(DeviceSpec.Cpu), Quiet, TextWriter.Null));
        Assert.Contains("Known models", error.Message);
    }

    /// <summary>Validates, then cancels: the run stops at the next step, as a Ctrl+C after the first epoch would.</summary>
    sealed class CancellingValidator(IValidator inner, CancellationTokenSource cancel) : IValidator
    {
        public string ScoreName => inner.ScoreName;
        public IReadOnlyDictionary<string, double> Validate(SegmentationModel model, TrainingData data, IProgressTask? progress)
        {
            var metrics = inner.Validate(model, data, progress);
            cancel.Cancel();
            return metrics;
        }
    }
}
