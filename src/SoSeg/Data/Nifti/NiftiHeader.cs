namespace SoSeg.Data.Nifti;

/// <summary>
/// The fields of a NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header, held at NIfTI-2 precision (64-bit
/// integers and doubles) so one type serves both versions. Field names follow nifti1.h / nifti2.h.
/// </summary>
public sealed class NiftiHeader
{
    public const int Nifti1HeaderSize = 348;
    public const int Nifti2HeaderSize = 540;

    /// <summary>1 or 2.</summary>
    public int Version { get; set; } = 1;
    /// <summary>True when the file was big-endian (files are always written little-endian).</summary>
    public bool BigEndian { get; set; }
    /// <summary>True for .nii (magic "n+1"/"n+2"), false for a .hdr/.img pair ("ni1"/"ni2").</summary>
    public bool SingleFile { get; set; } = true;

    /// <summary>dim[0] = number of dimensions (1..7), dim[1..7] = sizes.</summary>
    public long[] Dim { get; set; } = [3, 1, 1, 1, 1, 1, 1, 1];
    /// <summary>pixdim[0] = qfac (-1 or 1), pixdim[1..7] = voxel spacing (mm) and time step.</summary>
    public double[] PixDim { get; set; } = [1, 1, 1, 1, 1, 1, 1, 1];
    public NiftiDataType DataType { get; set; } = NiftiDataType.Float32;
    public short BitPix { get; set; } = 32;
    /// <summary>Byte offset of the voxel data in the .nii file (or in the .img file of a pair).</summary>
    public long VoxOffset { get; set; } = 352;
    /// <summary>Stored value v maps to v * slope + inter; slope 0 (or not finite) means no scaling.</summary>
    public double SclSlope { get; set; }
    public double SclInter { get; set; }

    public double IntentP1 { get; set; }
    public double IntentP2 { get; set; }
    public double IntentP3 { get; set; }
    public int IntentCode { get; set; }
    public string IntentName { get; set; } = "";

    public byte DimInfo { get; set; }
    public long SliceStart { get; set; }
    public long SliceEnd { get; set; }
    public int SliceCode { get; set; }
    public double SliceDuration { get; set; }
    /// <summary>Units of pixdim: bits 0-2 space (2 = mm), bits 3-5 time (8 = s, 16 = ms).</summary>
    public int XyztUnits { get; set; } = 2;
    public double CalMax { get; set; }
    public double CalMin { get; set; }
    public double TOffset { get; set; }
    public string Description { get; set; } = "";
    public string AuxFile { get; set; } = "";

    /// <summary>0 = unknown (qform unused), 1 = scanner, 2 = aligned, 3 = Talairach, 4 = MNI, 5 = template.</summary>
    public int QFormCode { get; set; }
    public int SFormCode { get; set; }
    public double QuaternB { get; set; }
    public double QuaternC { get; set; }
    public double QuaternD { get; set; }
    public double QOffsetX { get; set; }
    public double QOffsetY { get; set; }
    public double QOffsetZ { get; set; }
    public double[] SRowX { get; set; } = [1, 0, 0, 0];
    public double[] SRowY { get; set; } = [0, 1, 0, 0];
    public double[] SRowZ { get; set; } = [0, 0, 1, 0];

    /// <summary>Header extensions (code, content) in file order; kept on a read-write round trip.</summary>
    public List<NiftiExtension> Extensions { get; set; } = [];

    /// <summary>Number of dimensions (dim[0]).</summary>
    public int Rank => (int)Dim[0];

    /// <summary>Sizes of the used dimensions, dim[1..dim[0]].</summary>
    public long[] Shape => Dim[1..(Rank + 1)];

    /// <summary>Size of dimension <paramref name="axis"/> (0 = x), 1 for dimensions beyond dim[0].</summary>
    public long SizeOf(int axis) => axis < Rank ? Dim[axis + 1] : 1;

    /// <summary>Voxel spacing along x, y, z (pixdim[1..3], absolute values; 1 when a dimension is missing or 0).</summary>
    public double[] Spacing => [SpacingOf(0), SpacingOf(1), SpacingOf(2)];

    double SpacingOf(int axis)
    {
        double value = Math.Abs(PixDim[axis + 1]);
        return value > 0 && double.IsFinite(value) ? value : 1;
    }

    /// <summary>Voxels in the whole array (product of dim[1..dim[0]]).</summary>
    public long VoxelCount
    {
        get
        {
            long count = 1;
            for (int i = 1; i <= Rank; i++) count *= Math.Max(1, Dim[i]);
            return count;
        }
    }

    /// <summary>True when scl_slope asks for scaling (non-zero and finite, and not the identity).</summary>
    public bool HasScaling => SclSlope != 0 && double.IsFinite(SclSlope) && double.IsFinite(SclInter) && (SclSlope != 1 || SclInter != 0);

    /// <summary>
    /// The voxel-to-world affine by the NIfTI rules, as nibabel applies them: the sform when sform_code &gt; 0,
    /// else the qform when qform_code &gt; 0, else nifti1.h's method 1 (diagonal spacing, no offset).
    /// </summary>
    public double[,] Affine
    {
        get
        {
            if (SFormCode > 0) return SFormAffine;
            if (QFormCode > 0) return QFormAffine;
            var a = NiftiTransforms.Identity();
            for (int i = 0; i < 3; i++) a[i, i] = SpacingOf(i);
            return a;
        }
    }

    /// <summary>Which transform <see cref="Affine"/> uses: "sform", "qform" or "pixdim".</summary>
    public string AffineSource => SFormCode > 0 ? "sform" : QFormCode > 0 ? "qform" : "pixdim";

    /// <summary>The affine of srow_x/y/z, whatever sform_code says.</summary>
    public double[,] SFormAffine
    {
        get
        {
            var a = NiftiTransforms.Identity();
            for (int c = 0; c < 4; c++)
            {
                a[0, c] = SRowX[c];
                a[1, c] = SRowY[c];
                a[2, c] = SRowZ[c];
            }
            return a;
        }
    }

    /// <summary>The affine of the quaternion, pixdim and qfac, whatever qform_code says.</summary>
    public double[,] QFormAffine =>
        NiftiTransforms.QuaternionToAffine(QuaternB, QuaternC, QuaternD, QOffsetX, QOffsetY, QOffsetZ,
            SpacingOf(0), SpacingOf(1), SpacingOf(2), PixDim[0] < 0 ? -1 : 1);

    /// <summary>
    /// Sets both transforms from one affine: the sform exactly, the qform as its nearest rigid transform
    /// (quaternion + qfac + spacing), and pixdim[1..3] to the column lengths.
    /// </summary>
    public void SetAffine(double[,] affine, int code = 1)
    {
        if (affine.GetLength(0) != 4 || affine.GetLength(1) != 4) throw new ArgumentException("The affine must be 4 x 4.", nameof(affine));
        for (int c = 0; c < 4; c++)
        {
            SRowX[c] = affine[0, c];
            SRowY[c] = affine[1, c];
            SRowZ[c] = affine[2, c];
        }
        var (b, qc, d, qfac, spacing) = NiftiTransforms.AffineToQuaternion(affine);
        QuaternB = b;
        QuaternC = qc;
        QuaternD = d;
        QOffsetX = affine[0, 3];
        QOffsetY = affine[1, 3];
        QOffsetZ = affine[2, 3];
        PixDim[0] = qfac;
        for (int i = 0; i < 3; i++) PixDim[i + 1] = spacing[i];
        SFormCode = code;
        QFormCode = code;
    }

    /// <summary>
    /// A copy of this header's geometry (dim, affine, spacing, codes, description) for new voxel data of
    /// <paramref name="dataType"/>: unscaled, no display range, no extensions, little-endian.
    /// </summary>
    public NiftiHeader CloneFor(NiftiDataType dataType)
    {
        var header = Clone();
        header.DataType = dataType;
        header.BitPix = (short)(8 * NiftiDataTypes.BytesPerVoxel(dataType));
        header.SclSlope = 1;
        header.SclInter = 0;
        header.CalMin = 0;
        header.CalMax = 0;
        header.Extensions = [];
        header.BigEndian = false;
        return header;
    }

    /// <summary>A deep copy (arrays and extensions are not shared).</summary>
    public NiftiHeader Clone()
    {
        var copy = (NiftiHeader)MemberwiseClone();
        copy.Dim = (long[])Dim.Clone();
        copy.PixDim = (double[])PixDim.Clone();
        copy.SRowX = (double[])SRowX.Clone();
        copy.SRowY = (double[])SRowY.Clone();
        copy.SRowZ = (double[])SRowZ.Clone();
        copy.Extensions = Extensions.Select(e => new NiftiExtension(e.Code, (byte[])e.Content.Clone())).ToList();
        return copy;
    }
}
