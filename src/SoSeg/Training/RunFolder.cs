namespace SoSeg.Training;

/// <summary>
/// The files of one training run:
/// <code>
/// RUN/config.json          options, dataset, model (read back by --resume)
/// RUN/splits.json          the train/validation split used
/// RUN/checkpoints/last.ckpt, best.ckpt
/// RUN/metrics.csv          one row per epoch
/// RUN/tensorboard/         TensorBoard event files
/// RUN/training-curves.png
/// </code>
/// </summary>
public sealed class RunFolder(string folder)
{
    public string Folder { get; } = Path.GetFullPath(folder);
    public string Config => Path.Combine(Folder, "config.json");
    public string Splits => Path.Combine(Folder, "splits.json");
    public string CheckpointFolder => Path.Combine(Folder, "checkpoints");
    public string LastCheckpoint => Path.Combine(CheckpointFolder, "last.ckpt");
    public string BestCheckpoint => Path.Combine(CheckpointFolder, "best.ckpt");
    public string MetricsCsv => Path.Combine(Folder, "metrics.csv");
    public string TensorBoardFolder => Path.Combine(Folder, "tensorboard");
    public string CurvePng => Path.Combine(Folder, "training-curves.png");

    /// <summary>
    /// The checkpoint to use from this run: <paramref name="which"/> "best" or "last". A run without validation
    /// cases has no best, so last stands in (said on <paramref name="log"/>).
    /// </summary>
    public string ChooseCheckpoint(string which = "best", TextWriter? log = null)
    {
        if (which == "last" || File.Exists(BestCheckpoint))
        {
            string chosen = which == "last" ? LastCheckpoint : BestCheckpoint;
            if (!File.Exists(chosen)) throw new SoSegException($"{Folder}: no checkpoints yet ({chosen} is missing).");
            return chosen;
        }
        if (!File.Exists(LastCheckpoint)) throw new SoSegException($"{Folder}: no checkpoints yet (checkpoints/best.ckpt, last.ckpt).");
        log?.WriteLine($"{BestCheckpoint} does not exist (the run had no validation cases, or no epoch predicted any foreground); using last.ckpt");
        return LastCheckpoint;
    }

    /// <summary>A .ckpt file as given, or the chosen checkpoint of a run folder.</summary>
    public static string CheckpointOf(string fileOrRunFolder, TextWriter? log = null) =>
        Directory.Exists(fileOrRunFolder) ? new RunFolder(fileOrRunFolder).ChooseCheckpoint("best", log) : fileOrRunFolder;

    /// <summary>True when a finished or interrupted run already lives here.</summary>
    public bool HasRun => File.Exists(Config);

    public override string ToString() => Folder;
}
