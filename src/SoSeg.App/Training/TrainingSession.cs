using SoSeg.Augmentation;
using SoSeg.Data.Datasets;
using SoSeg.Data.Verification;
using SoSeg.IO;
using SoSeg.App.Reports;
using SoSeg.Training;
using SoSeg.Training.Recipes;
using SoSeg.Monitoring;
using SoSeg.App.Terminal;
using static TorchSharp.torch;

namespace SoSeg.App.Training;

/// <summary>
/// Sets up a run from a config: opens the dataset, takes (or makes) its train/validation split, writes
/// config.json and splits.json into the run folder, and trains — or resumes a run from its folder.
/// </summary>
public static class TrainingSession
{
    /// <summary>
    /// Starts a new run in <paramref name="run"/>: refuses a folder that already holds one (resume it instead), a non-empty
    /// folder SoSeg did not make unless <paramref name="force"/>, and a folder another process is writing. Everything
    /// that can refuse the command runs before anything is written, so a corrected command can reuse the folder: the
    /// options, the dataset's verification (every file decoded once, then cached), the memory the crop, batch and
    /// validation window need, and a given splits file.
    /// </summary>
    /// <param name="isWritable">Whether a folder can be written (tests replace the operating system's answer).</param>
    public static TrainingResult Start(TrainConfig config, RunFolder run, Device device, Progress progress, TextWriter log,
                                       CancellationToken cancel = default, bool force = false, string command = "soseg train",
                                       Func<string, bool>? isWritable = null)
    {
        RefuseExistingRun(run, probeLock: command);
        OutputFolder.Check(run.Folder, OutputKind.Run, command, force, [config.Data]);
        config.Training.Validate();
        var dataset = SegmentationDataset.Open(config.Data, config.Dataset);
        DatasetVerifier.EnsureValid(dataset, progress);
        config.Training.EnsureMemoryFits(dataset.Channels, dataset.NumClasses, config.Training.ValidationPrediction.WindowSize, TrainingOptions.ValidationWindowSetting, device);
        if (config.Splits is not null)
        {
            if (!File.Exists(config.Splits)) throw new SoSegException($"{config.Splits}: splits file not found (--splits).");
            dataset.GetFold(config.Training.Fold, config.Training.Folds, config.Splits);
        }
        string? splitsFile = SplitsFileFor(config, dataset, run, isWritable ?? FolderAccess.IsWritable, log);
        OutputFolder.Claim(run.Folder, OutputKind.Run, command, force, [config.Data]);
        using var writer = FolderLock.Acquire(run.Folder, command);
        RefuseExistingRun(run, probeLock: null); // another process may have started a run here between the check and the lock
        RemoveStaleTemporaries(run, log);
        var data = OpenData(config, run, dataset, splitsFile);
        config.Write(run.Config);
        FaultPoint.Reach("run-started");
        return Train(config, data, run, device, progress, log, resume: false, cancel);
    }

    /// <summary>
    /// Continues the run in <paramref name="run"/> from its last finished epoch, with its own config and the split it kept;
    /// refuses a run another process is writing.
    /// </summary>
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
        var dataset = SegmentationDataset.Open(config.Data, config.Dataset);
        DatasetVerifier.EnsureValid(dataset, progress);
        var data = OpenData(config, run, dataset, File.Exists(run.Splits) ? run.Splits : config.Splits);
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

    /// <summary>
    /// Where the run's split comes from: the user's --splits file; else the dataset's splits_final.json (made
    /// there when missing, as nnU-Net does); but when the dataset's splits folder cannot be written and holds no
    /// split yet, the split is made and kept in the run folder (splits.json), leaving the dataset untouched.
    /// </summary>
    static string? SplitsFileFor(TrainConfig config, SegmentationDataset dataset, RunFolder run, Func<string, bool> isWritable, TextWriter log)
    {
        if (config.Splits is not null) return config.Splits;
        if (File.Exists(Path.Combine(dataset.SplitsFolder, Data.Splits.SplitFile.FoldsFileName)) || isWritable(dataset.SplitsFolder)) return null;
        log.WriteLine($"{dataset.SplitsFolder} is read-only: the train/validation split is made and kept in {run.Splits}");
        return run.Splits;
    }

    /// <summary>The dataset split a config describes, as <see cref="TrainingData"/>; also copies the split into the run folder.</summary>
    /// <param name="dataset">The opened dataset (null: open the config's).</param>
    /// <param name="splitsFile">The splits file to use (see <see cref="SegmentationDataset.GetFold"/>), or null for the dataset's own.</param>
    public static TrainingData OpenData(TrainConfig config, RunFolder run, SegmentationDataset? dataset = null, string? splitsFile = null)
    {
        dataset ??= SegmentationDataset.Open(config.Data, config.Dataset);
        var fold = dataset.GetFold(config.Training.Fold, config.Training.Folds, splitsFile);
        if (File.Exists(fold.SplitsPath) && Path.GetFullPath(fold.SplitsPath) != run.Splits) IO.AtomicFile.WriteAllText(run.Splits, File.ReadAllText(fold.SplitsPath));
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
            // Only oversampling reads it, and reading it decodes every training label volume.
            TrainSlices = config.Training.Augmentation.OversampleForeground > 0 ? TrainingSlice.Of(dataset, train) : null,
        };
    }

    static TrainingResult Train(TrainConfig config, TrainingData data, RunFolder run, Device device, Progress progress, TextWriter log, bool resume, CancellationToken cancel)
    {
        var pipeline = new AugmentationPipeline(config.Training.Augmentation);
        var validation = config.Training.ValidationPrediction;
        var result = PaperRecipe.Train(config.Training, data, device, run, pipeline, new MetricValidator(device, validation, config.Training.SelectBy),
            progress, log, resume, cancel, callbacks: [new TrainingCurvesCallback(run.CurvePng)]);
        if (result.Interrupted)
            log.WriteLine($"interrupted: {run.Folder} keeps the last finished epoch; continue with `soseg train --resume {run.Folder}`.");
        return result;
    }
}
