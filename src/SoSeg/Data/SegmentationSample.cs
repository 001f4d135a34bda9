namespace SoSeg.Data;

/// <summary>
/// One decoded 2-D item (an image, or one slice of a volume) ready for a network: intensities scaled
/// to [0, 1] in channel-major order, and a mask of contiguous class indices 0..K-1 (the dataset's label
/// values mapped through its label map; 255 marks ignored pixels).
/// </summary>
public sealed class SegmentationSample
{
    /// <summary>Unique within its dataset, e.g. "C3_0042" or "im12_z045"; used for file names and per-image results.</summary>
    public required string Id { get; init; }
    public required int Channels { get; init; }
    public required int Height { get; init; }
    public required int Width { get; init; }
    /// <summary>C x H x W floats in [0, 1].</summary>
    public required float[] Image { get; init; }
    /// <summary>H x W class indices, or null for an unlabelled image.</summary>
    public byte[]? Mask { get; init; }
    /// <summary>Image file, mask file, group (hospital centre or volume) and slice, for reports and for writing predictions back.</summary>
    public required SampleOrigin Origin { get; init; }

    /// <summary>Pixels in one channel.</summary>
    public int PixelCount => Height * Width;
}

/// <summary>Where a sample came from.</summary>
/// <param name="ImagePath">The image or volume file.</param>
/// <param name="MaskPath">The mask or label-volume file, if any.</param>
/// <param name="Group">Hospital centre (PolypGen "C1".."C6"), volume id, or null.</param>
/// <param name="SliceIndex">Axial slice index within the volume, or null for 2-D images.</param>
public sealed record SampleOrigin(string ImagePath, string? MaskPath, string? Group = null, int? SliceIndex = null);
