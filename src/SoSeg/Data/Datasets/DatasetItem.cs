namespace SoSeg.Data.Datasets;

/// <summary>
/// A lightweight reference to one 2-D sample: a whole image, or one slice of a volume. Load it with
/// <see cref="SegmentationDataset.Load"/>.
/// </summary>
/// <param name="Id">Unique sample id: the case id for images, "CASE_zNNN" for slices.</param>
/// <param name="Case">The image or volume it comes from.</param>
/// <param name="SliceIndex">Index along the volume's slice axis, or null for a 2-D image.</param>
public sealed record DatasetItem(string Id, DatasetCase Case, int? SliceIndex)
{
    /// <summary>Where it came from, as stored in the loaded sample: group is the centre, or the volume's case id.</summary>
    public SampleOrigin Origin => new(Case.ImagePaths[0], Case.MaskPath, Case.IsVolume ? Case.Id : Case.Group, SliceIndex);
}
