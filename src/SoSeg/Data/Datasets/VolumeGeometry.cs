using SoSeg.Data.Nifti;

namespace SoSeg.Data.Datasets;

/// <summary>
/// The grid of a 3-D volume and how it is cut into 2-D slices. Slices run along the axial axis (the array
/// axis most aligned with the world's inferior-superior axis, usually z); a slice's columns follow the lower
/// remaining array axis and its rows the higher one, without flips, so a slice written back lands on exactly
/// the voxels it came from.
/// </summary>
public sealed class VolumeGeometry
{
    public VolumeGeometry(NiftiHeader header, string? sourcePath = null)
    {
        if (header.Rank < 2 || header.Rank > 4 || (header.Rank == 4 && header.Dim[4] != 1))
            throw new SoSegException($"{sourcePath ?? "volume"}: a {string.Join(" x ", header.Shape)} image is not a 3-D volume (expected x, y, z).");
        Header = header;
        SourcePath = sourcePath;
        Size = [(int)header.SizeOf(0), (int)header.SizeOf(1), (int)header.SizeOf(2)];
        SliceAxis = NiftiTransforms.AxialAxis(header.Affine);
        ColumnAxis = SliceAxis == 0 ? 1 : 0;
        RowAxis = SliceAxis == 2 ? 1 : 2;
    }

    /// <summary>Reads the geometry from a NIfTI file's header only.</summary>
    public static VolumeGeometry Read(string path) => new(NiftiReader.ReadHeader(path), path);

    /// <summary>The volume's header: affine, spacing, codes; predictions are written with it.</summary>
    public NiftiHeader Header { get; }
    public string? SourcePath { get; }
    /// <summary>Voxels along x, y, z.</summary>
    public int[] Size { get; }
    /// <summary>Array axis the slices are cut along (0 x, 1 y, 2 z).</summary>
    public int SliceAxis { get; }
    /// <summary>Array axis along a slice's columns (width).</summary>
    public int ColumnAxis { get; }
    /// <summary>Array axis along a slice's rows (height).</summary>
    public int RowAxis { get; }

    public int SliceCount => Size[SliceAxis];
    public int SliceWidth => Size[ColumnAxis];
    public int SliceHeight => Size[RowAxis];
    public int SlicePixels => SliceWidth * SliceHeight;
    public long VoxelCount => (long)Size[0] * Size[1] * Size[2];
    public double[,] Affine => Header.Affine;
    /// <summary>Pixel spacing of a slice (column, row) and the slice thickness, in mm.</summary>
    public (double Column, double Row, double Slice) Spacing => (Header.Spacing[ColumnAxis], Header.Spacing[RowAxis], Header.Spacing[SliceAxis]);

    /// <summary>True when both grids have the same size and (within 1e-3 mm) the same affine.</summary>
    public bool SameGrid(VolumeGeometry other) =>
        Size.SequenceEqual(other.Size) && NiftiTransforms.MaxDifference(Affine, other.Affine) < 1e-3;

    /// <summary>Copies slice <paramref name="slice"/> of a volume (x fastest) into <paramref name="destination"/> (row-major).</summary>
    public void ExtractSlice<T>(ReadOnlySpan<T> volume, int slice, Span<T> destination)
    {
        CheckSlice(slice, volume.Length, destination.Length);
        var (start, columnStride, rowStride) = Strides(slice);
        int width = SliceWidth, height = SliceHeight;
        if (columnStride == 1)
        {
            for (int row = 0; row < height; row++)
                volume.Slice((int)(start + row * rowStride), width).CopyTo(destination.Slice(row * width, width));
            return;
        }
        for (int row = 0, p = 0; row < height; row++)
        {
            long offset = start + row * rowStride;
            for (int column = 0; column < width; column++, p++) destination[p] = volume[(int)(offset + column * columnStride)];
        }
    }

    /// <summary>Writes a row-major slice into a volume (x fastest): the inverse of <see cref="ExtractSlice{T}"/>.</summary>
    public void InsertSlice<T>(Span<T> volume, int slice, ReadOnlySpan<T> source)
    {
        CheckSlice(slice, volume.Length, source.Length);
        var (start, columnStride, rowStride) = Strides(slice);
        int width = SliceWidth, height = SliceHeight;
        for (int row = 0, p = 0; row < height; row++)
        {
            long offset = start + row * rowStride;
            for (int column = 0; column < width; column++, p++) volume[(int)(offset + column * columnStride)] = source[p];
        }
    }

    long[] AxisStrides => [1, Size[0], (long)Size[0] * Size[1]];

    (long Start, long ColumnStride, long RowStride) Strides(int slice)
    {
        var strides = AxisStrides;
        return (slice * strides[SliceAxis], strides[ColumnAxis], strides[RowAxis]);
    }

    void CheckSlice(int slice, int volumeLength, int sliceLength)
    {
        if (slice < 0 || slice >= SliceCount) throw new ArgumentOutOfRangeException(nameof(slice), $"Slice {slice} is outside 0..{SliceCount - 1}.");
        if (volumeLength < VoxelCount) throw new ArgumentException($"The volume holds {volumeLength} values; the grid has {VoxelCount}.");
        if (sliceLength < SlicePixels) throw new ArgumentException($"The slice holds {sliceLength} values; a slice has {SlicePixels}.");
    }
}
