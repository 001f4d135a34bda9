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

    /// <summary>
    /// For a training set of volume slices: each training id's volume and the foreground classes its slice holds, in
    /// <see cref="TrainIds"/> order. With it, foreground oversampling picks slices across each volume, as nnU-Net's
    /// 2-D sampler does (<see cref="TrainingSlice.Of"/> builds it). Null for 2-D images, each its own case.
    /// </summary>
    public IReadOnlyList<TrainingSlice>? TrainSlices { get; init; }

    public int NumClasses => ClassNames.Count;
}
