using SoSeg.Augmentation;
using SoSeg.Data.Datasets;
using SoSeg.IO;
using SoSeg.Terminal;
using static TorchSharp.torch;

namespace SoSeg.Training;

/// <summary>
/// Sets up a run from a config: opens the dataset, takes (or makes) its train/validation split, writes
/// config.json and splits.json into the run folder, and trains — or resumes a run from its folder.
/// </summary>
public static class TrainingSession
{
    /// <summary>
    /// Starts a new run in <paramref name="run"/>: refuses a folder that already holds one (resume it instead), a non-empty
    /// folder SoSeg did not make unless <paramref name="force"/>, and a folder another process is writing.
    /// </summary>
    public static TrainingResult Start(TrainConfig config, RunFolder run, Device device, Progress progress, TextWriter log,
                                       CancellationToken cancel = default, bool force = false, string command = "soseg train")
    {
        RefuseExistingRun(run, probeLock: command);
        OutputFolder.Check(run.Folder, OutputKind.Run, command, force, [config.Data]);
        // Refuse bad options before anything is written, so a corrected command can reuse the folder.
        config.Training.Validate();
        OutputFolder.Claim(run.Folder, OutputKind.Run, command, force, [config.Data]);
        using var writer = FolderLock.Acquire(run.Folder, command);
        RefuseExistingRun(run, probeLock: null); // another process may have started a run here between the check and the lock
        RemoveStaleTemporaries(run, log);
        var data = OpenData(config, run);
        config.Write(run.Config);
        FaultPoint.Reach("run-started");
        return Train(config, data, run, device, progress, log, resume: false, cancel);
    }

    /// <summary>Continues the run in <paramref name="run"/> from its last finished epoch, with its own config; refuses a run another process is writing.</summary>
    public static TrainingResult Resume(RunFolder run, Device device, Progress progress, TextWriter log, CancellationToken cancel = default,
                                        string command = "soseg train --resume")
    {
        if (!Directory.Exists(run.Folder)) throw new SoSegException($"{run.Folder}: no such run folder.");
        if (OutputFolder.ReadMarker(run.Folder) is { Kind: not OutputKind.Run } marker)
            throw new SoSegException($"{run.Folder}: is a SoSeg {marker.Kind.ToString().ToLowerInvariant()} folder (made by {marker.Command}), not a run folder.");
        var config = TrainConfig.Read(run.Config);
        using var writer = FolderLock.Acquire(run.Folder, command);
        OutputFolder.Mark(run.Folder, OutputKind.Run, command); // runs from before folders were marked
        RemoveStaleTemporaries(run, log);
        var data = OpenData(config, run);
        FaultPoint.Reach("run-started");
        return Train(config, data, run, device, progress, log, resume: true, cancel);
    }

    /// <summary>A folder holding a run is resumed, not started again; while another process trains it, that process is named.</summary>
    static void RefuseExistingRun(RunFolder run, string? probeLock)
    {
        if (!run.HasRun) return;
        if (probeLock is not null && OutputFolder.ReadMarker(run.Folder)?.Kind == OutputKind.Run)
            using (FolderLock.Acquire(run.Folder, probeLock)) { }
        throw new SoSegException($"{run.Folder} already holds a run; continue it with `soseg train --resume {run.Folder}` or choose another --out.");
    }

    /// <summary>Temporary files of writes a killed process never finished (checkpoints are tens of MB each); safe to delete under the writer lock.</summary>
    static void RemoveStaleTemporaries(RunFolder run, TextWriter log)
    {
        var removed = AtomicFile.RemoveStaleTemporaries(run.Folder).Concat(AtomicFile.RemoveStaleTemporaries(run.CheckpointFolder)).ToList();
        if (removed.Count > 0)
            log.WriteLine($"removed {removed.Count} unfinished temporary file(s) left by an interrupted write: {string.Join(", ", removed.Select(Path.GetFileName))}");
    }

    /// <summary>The dataset split a config describes, as <see cref="TrainingData"/>; also copies the split into the run folder.</summary>
    public static TrainingData OpenData(TrainConfig config, RunFolder run)
    {
        var dataset = SegmentationDataset.Open(config.Data, config.Dataset);
        var fold = dataset.GetFold(config.Training.Fold, config.Training.Folds);
        if (File.Exists(fold.SplitsPath)) AtomicFile.WriteAllText(run.Splits, File.ReadAllText(fold.SplitsPath));
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
        var trainer = new Trainer(config.Training, data, device, run, pipeline, new MetricValidator(device, validation, config.Training.SelectBy), progress, log);
        return trainer.Run(resume, cancel);
    }
}
