using System.CommandLine;
using SoSeg.Data.Datasets;
using SoSeg.Inference;
using SoSeg.Training;
using SoSeg.Checkpoints;
using SoSeg.App.Training;

namespace SoSeg.Cli.Commands;

/// <summary>soseg train: the paper's recipe on a dataset folder, or --resume of an interrupted run.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new TrainingOptions();
        var data = new Option<string?>("--data") { Description = "Dataset folder (SoSeg/nnU-Net, ATLAS, PolypGen or images/+masks/ layout)." };
        var model = new Option<string>("--model") { Description = "Registered model (see `soseg models`).", DefaultValueFactory = _ => defaults.Model };
        var output = new Option<string?>("--out") { Description = "Run folder to create, new or empty (config.json, checkpoints/, metrics.csv, tensorboard/, training-curves.png)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its last finished epoch (other options are read from its config.json)." };
        var recipe = new RecipeOptions();
        var seed = new Option<long>("--seed") { Description = "Seed of weights, batch order and augmentation.", DefaultValueFactory = _ => defaults.Seed };
        var folds = new Option<int>("--folds") { Description = "1: one seeded train/validation split; k > 1: k-fold cross-validation (splits_final.json in the dataset folder, or in the run folder when the dataset is read-only).", DefaultValueFactory = _ => defaults.Folds };
        var fold = new Option<int>("--fold") { Description = "Which fold to train (0-based).", DefaultValueFactory = _ => defaults.Fold };
        var splits = new Option<string?>("--splits") { Description = "Train/validation split to use, in nnU-Net's splits_final.json form (e.g. another run's splits.json); the dataset folder is then only read." };
        var valFraction = new Option<double>("--val-fraction") { Description = "Share of training cases used for validation by a single split.", DefaultValueFactory = _ => new DatasetOptions().ValidationFraction };
        var dropEmpty = new Option<bool>("--drop-empty-slices") { Description = "Volumes: train only on slices with foreground." };
        var layout = CommonOptions.Layout();
        var valWindow = new Option<int?>("--val-window") { Description = "Sliding-window size for validation (default: the crop; larger is faster on whole small images)." };
        var device = new DeviceOptions(threads: true, channelsLast: true);
        var force = CommonOptions.Force();

        var command = new Command("train", "Train a model with the paper's recipe (AdamW, cross-entropy, 5e-5 -> 1e-6 warm-up + cosine, batch 4, 512 crops, augmentations, 100 epochs); every setting is an option.")
        {
            data, model, output, resume, seed, folds, fold, splits, valFraction, dropEmpty, layout, valWindow, force,
        };
        device.AddTo(command);
        recipe.AddTo(command);
        command.SetAction(parse =>
        {
            var log = parse.InvocationConfiguration.Output;
            var torchDevice = device.Resolve(parse);
            var progress = CommonOptions.ProgressFor(parse, keepStdoutClean: false);
            using var cancel = CtrlC.Cancels(log);

            if (parse.GetValue(resume) is { } resumeFolder)
            {
                var result = TrainingSession.Resume(new RunFolder(resumeFolder), torchDevice, progress, log, cancel.Token);
                return Summarise(result, log);
            }

            string dataFolder = parse.GetValue(data) ?? throw new ArgumentException("--data is required (or --resume RUN).");
            string runFolder = parse.GetValue(output) ?? throw new ArgumentException("--out is required: the run folder to create.");
            var training = recipe.Read(parse) with
            {
                Model = parse.GetValue(model)!,
                Seed = parse.GetValue(seed),
                Folds = parse.GetValue(folds),
                Fold = parse.GetValue(fold),
                Precision = device.Precision(parse),
                ChannelsLast = device.ChannelsLast(parse),
            };
            training = training with { Validation = new PredictionOptions { WindowSize = parse.GetValue(valWindow) ?? training.Augmentation.CropSize } };
            var config = new TrainConfig
            {
                Data = Path.GetFullPath(dataFolder),
                Splits = parse.GetValue(splits) is { } splitsFile ? Path.GetFullPath(splitsFile) : null,
                Dataset = new DatasetOptions
                {
                    Layout = CommonOptions.ParseLayout(parse.GetValue(layout)!),
                    DropEmptySlices = parse.GetValue(dropEmpty),
                    ValidationFraction = parse.GetValue(valFraction),
                },
                Training = training,
            };
            var started = TrainingSession.Start(config, new RunFolder(runFolder), torchDevice, progress, log, cancel.Token, parse.GetValue(force));
            return Summarise(started, log);
        });
        return command;
    }

    static int Summarise(TrainingResult result, TextWriter log)
    {
        log.WriteLine($"run folder: {result.Run.Folder}");
        if (result.BestScore is { } best) log.WriteLine($"best {Checkpoint.ReadInfo(result.Run.BestCheckpoint).ScoreName} {best * 100:0.00}% at epoch {result.BestEpoch}: {result.Run.BestCheckpoint}");
        log.WriteLine($"curves: {result.Run.CurvePng}   metrics: {result.Run.MetricsCsv}   tensorboard: {result.Run.TensorBoardFolder}");
        return result.Interrupted ? 130 : 0;
    }
}
