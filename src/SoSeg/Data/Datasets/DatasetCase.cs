namespace SoSeg.Data.Datasets;

/// <summary>
/// One case of a dataset: a 2-D image or a 3-D volume, with its channel files and its mask. Splits are
/// made over cases, so slices of one volume never land on both sides.
/// </summary>
/// <param name="Id">Unique case id: file stem ("im12", "case_003") or centre + stem for PolypGen ("C3_100H0050").</param>
/// <param name="Subset">Train or test, as the layout (or the seeded hold-out) assigns it.</param>
/// <param name="ImagePaths">One file per channel group (nnU-Net's CASE_0000, CASE_0001, ...); usually one.</param>
/// <param name="MaskPath">Mask or label volume, or null for an unlabelled test case.</param>
/// <param name="Group">Hospital centre for PolypGen ("C1".."C6"), else null.</param>
/// <param name="IsVolume">True for NIfTI volumes, which are sliced into 2-D samples.</param>
public sealed record DatasetCase(string Id, DatasetSubset Subset, IReadOnlyList<string> ImagePaths, string? MaskPath, string? Group, bool IsVolume)
{
    /// <summary>The same case assigned to another subset.</summary>
    public DatasetCase WithSubset(DatasetSubset subset) => this with { Subset = subset };
}
