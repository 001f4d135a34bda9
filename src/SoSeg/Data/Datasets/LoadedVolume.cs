namespace SoSeg.Data.Datasets;

/// <summary>A decoded volume held in the cache: normalised intensities per channel and class indices.</summary>
/// <param name="Geometry">Grid and slicing of the volume.</param>
/// <param name="Channels">Number of intensity channels (0 for a labels-only entry).</param>
/// <param name="Intensities">Channels x voxels floats in [0, 1], or null for a labels-only entry.</param>
/// <param name="Classes">Voxel class indices (255 ignore), or null for an unlabelled volume.</param>
/// <param name="ForegroundSlices">Slice indices holding any foreground class, in order (null without labels).</param>
internal sealed record LoadedVolume(VolumeGeometry Geometry, int Channels, float[]? Intensities, byte[]? Classes, int[]? ForegroundSlices)
{
    public long Bytes => (Intensities?.LongLength ?? 0) * sizeof(float) + (Classes?.LongLength ?? 0);
}
