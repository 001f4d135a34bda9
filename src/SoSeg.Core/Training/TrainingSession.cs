using SoSeg.Augmentation;
using SoSeg.Data.Datasets;
using SoSeg.Terminal;
using static TorchSharp.torch;

namespace SoSeg.Training;

/// <summary>
/// Sets up a run from a config: opens the dataset, takes (or makes) its train/validation split, writes
/// config.json and splits.json into the run folder, and trains — or resumes a run from its folder.
/// </summary>
public static class TrainingSession
{
    /// <summary>Starts a new run in <paramref name="run"/> (refuses a folder that already holds one: resume it instead).</summary>
    public static TrainingResult Start(TrainConfig config, RunFolder run, Device device, Progress progress, TextWriter log, CancellationToken cancel = default)
    {
        if (run.HasRun)
            throw new SoSegException($"{run.Folder} already holds a run; continue it with `soseg train --resume {run.Folder}` or choose another --out.");
        // Refuse bad options before anything is written, so a corrected command can reuse the folder.
        config.Training.Validate();
        Directory.CreateDirectory(run.Folder);
        var data = OpenData(config, run);
        config.Write(run.Config);
        return Train(config, data, run, device, progress, log, resume: false, cancel);
    }

    /// <summary>Continues the run in <paramref name="run"/> from its last finished epoch, with its own config.</summary>
    public static TrainingResult Resume(RunFolder run, Device device, Progress progress, TextWriter log, CancellationToken cancel = default)
    {
        var config = TrainConfig.Read(run.Config);
        var data = OpenData(config, run);
        return Train(config, data, run, device, progress, log, resume: true, cancel);
    }

    /// <summary>The dataset split a config describes, as <see cref="TrainingData"/>; also copies the split into the run folder.</summary>
    public static TrainingData OpenData(TrainConfig config, RunFolder run)
    {
        var dataset = SegmentationDataset.Open(config.Data, config.Dataset);
        var fold = dataset.GetFold(config.Training.Fold, config.Training.Folds);
        if (File.Exists(fold.SplitsPath)) IO.AtomicFile.WriteAllText(run.Splits, File.ReadAllText(fold.SplitsPath));
        var train = dataset.Items(fold.Train);
        // Validation scores whole volumes' slices, empty ones included, as evaluation does.
        var validation = dataset.Items(fold.Validation, dropEmptySlices: false);
        if (train.Count == 0) throw new SoSegException($"{config.Data}: the training split is empty (no images, or every slice was dropped).");
        var items = train.Concat(validation).ToDictionary(i => i.Id, StringComparer.Ordinal);
        return new TrainingData
        {
            DatasetName = string.IsNullOrEmpty(dataset.Manifest.Name) ? Path.GetFileName(dataset.Root) : dataset.Manifest.Name,
            TrainIds = train.Select(i => i.Id).ToList(),
            ValidationIds = validation.Select(i => i.Id).ToList(),
            Load = id => dataset.Load(items[id]),
            Channels = dataset.Channels,
            ClassNames = dataset.Labels.Names,
            LabelValues = Enumerable.Range(0, dataset.NumClasses).Select(c => (int)dataset.Labels.ValueOf(c)).ToList(),
        };
    }

    static TrainingResult Train(TrainConfig config, TrainingData data, RunFolder run, Device device, Progress progress, TextWriter log, bool resume, CancellationToken cancel)
    {
        var pipeline = new AugmentationPipeline(config.Training.ToAugmentationOptions());
        var validation = config.Validation;
        var trainer = new Trainer(config.Training, data, device, run, pipeline, new MetricValidator(device, validation), progress, log);
        return trainer.Run(resume, cancel);
    }
}
