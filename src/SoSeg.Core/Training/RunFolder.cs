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

    /// <summary>True when a finished or interrupted run already lives here.</summary>
    public bool HasRun => File.Exists(Config);

    public override string ToString() => Folder;
}
