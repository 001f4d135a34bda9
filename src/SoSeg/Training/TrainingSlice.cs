using SoSeg.Data.Datasets;

namespace SoSeg.Training;

/// <summary>A training slice of a volume: the volume it belongs to and the foreground classes (indices) it holds.</summary>
public sealed record TrainingSlice(string Volume, IReadOnlyList<byte> Classes)
{
    /// <summary>
    /// Each item's volume and classes, in order (the label volumes are decoded once, then cached); null when no item
    /// is a volume slice.
    /// </summary>
    public static IReadOnlyList<TrainingSlice>? Of(SegmentationDataset dataset, IReadOnlyList<DatasetItem> items)
    {
        if (!items.Any(i => i.SliceIndex is not null)) return null;
        return items.Select(i => new TrainingSlice(i.Case.Id, dataset.ForegroundClasses(i))).ToList();
    }
}
