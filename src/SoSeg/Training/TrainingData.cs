using SoSeg.Data;

namespace SoSeg.Training;

/// <summary>The cases a run trains and validates on, and how to load one. Built from a dataset and its split.</summary>
public sealed class TrainingData
{
    public required string DatasetName { get; init; }
    public required IReadOnlyList<string> TrainIds { get; init; }
    public required IReadOnlyList<string> ValidationIds { get; init; }
    /// <summary>Loads one case by id (called from several threads at once).</summary>
    public required Func<string, SegmentationSample> Load { get; init; }
    public required int Channels { get; init; }
    /// <summary>Class names by index, background first.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }
    /// <summary>Label value in the dataset's mask files for each class index.</summary>
    public required IReadOnlyList<int> LabelValues { get; init; }

    public int NumClasses => ClassNames.Count;
}
