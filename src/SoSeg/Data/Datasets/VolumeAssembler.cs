using SoSeg.Data.Nifti;

namespace SoSeg.Data.Datasets;

/// <summary>
/// Collects per-slice predictions (class indices) of one volume and writes them as a NIfTI label volume
/// on the input's grid: same dim, pixdim, qform, sform and codes, datatype UINT8, class indices turned back
/// into the dataset's label values. Slices never added (e.g. dropped as empty) stay background.
/// </summary>
public sealed class VolumeAssembler
{
    readonly byte[] _classes;
    readonly bool[] _filled;

    public VolumeAssembler(VolumeGeometry geometry, LabelMap? labels = null)
    {
        Geometry = geometry;
        Labels = labels;
        _classes = new byte[geometry.VoxelCount];
        _filled = new bool[geometry.SliceCount];
    }

    /// <summary>An assembler for the volume at <paramref name="imagePath"/> (reads its header only).</summary>
    public static VolumeAssembler For(string imagePath, LabelMap? labels = null) => new(VolumeGeometry.Read(imagePath), labels);

    public VolumeGeometry Geometry { get; }
    public LabelMap? Labels { get; }
    public bool IsComplete => _filled.All(f => f);

    /// <summary>Adds the class map of slice <paramref name="sliceIndex"/> (SliceHeight x SliceWidth, row-major, as the dataset produced it).</summary>
    public void AddSlice(int sliceIndex, ReadOnlySpan<byte> classMap)
    {
        if (classMap.Length != Geometry.SlicePixels)
            throw new ArgumentException($"Slice {sliceIndex} has {classMap.Length} pixels; slices of {Geometry.SourcePath ?? "this volume"} have {Geometry.SliceHeight} x {Geometry.SliceWidth}.", nameof(classMap));
        Geometry.InsertSlice<byte>(_classes, sliceIndex, classMap);
        _filled[sliceIndex] = true;
    }

    /// <summary>The volume as a NIfTI image of label values (UINT8) with the input's geometry.</summary>
    public NiftiImage ToImage()
    {
        byte[] values = Labels is null ? (byte[])_classes.Clone() : Labels.ToValues(_classes);
        // Ignored pixels (255) become background in a written label volume.
        for (int i = 0; i < values.Length; i++)
            if (values[i] == LabelMap.Ignore) values[i] = 0;
        var header = Geometry.Header.CloneFor(NiftiDataType.UInt8);
        header.Dim = [3, Geometry.Size[0], Geometry.Size[1], Geometry.Size[2], 1, 1, 1, 1];
        header.Description = "SoSeg prediction";
        header.IntentCode = 1002; // NIFTI_INTENT_LABEL
        return new NiftiImage(header, values);
    }

    /// <summary>Writes the label volume (.nii.gz, .nii, or a .hdr/.img pair by the path's ending).</summary>
    public void Write(string path) => NiftiWriter.Write(path, ToImage());
}
