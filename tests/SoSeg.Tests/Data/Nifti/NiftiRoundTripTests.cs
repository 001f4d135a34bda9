using System.Buffers.Binary;
using System.IO.Compression;
using SoSeg.Data.Nifti;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Data.Nifti;

public class NiftiRoundTripTests
{
    /// <summary>Read on first use by a test that needs the files, so tests without them run when they are missing.</summary>
    static DebianTestData Data => DebianTestData.Instance;

    static void AssertSameHeader(NiftiHeader expected, NiftiHeader actual)
    {
        Assert.Equal(expected.Dim, actual.Dim);
        Assert.Equal(expected.DataType, actual.DataType);
        for (int i = 0; i < 8; i++) Assert.Equal(expected.PixDim[i], actual.PixDim[i], 5);
        Assert.Equal(expected.SclSlope, actual.SclSlope, 6);
        Assert.Equal(expected.SclInter, actual.SclInter, 4);
        Assert.Equal(expected.QFormCode, actual.QFormCode);
        Assert.Equal(expected.SFormCode, actual.SFormCode);
        Assert.Equal(expected.QuaternB, actual.QuaternB, 6);
        Assert.Equal(expected.QuaternC, actual.QuaternC, 6);
        Assert.Equal(expected.QuaternD, actual.QuaternD, 6);
        Assert.True(NiftiTransforms.MaxDifference(expected.SFormAffine, actual.SFormAffine) < 1e-4);
        Assert.Equal(expected.Description, actual.Description);
        Assert.Equal(expected.DimInfo, actual.DimInfo);
        Assert.Equal(expected.XyztUnits, actual.XyztUnits);
        Assert.Equal(expected.SliceEnd, actual.SliceEnd);
        Assert.Equal(expected.CalMax, actual.CalMax, 4);
        Assert.Equal(expected.Extensions.Select(e => e.Code), actual.Extensions.Select(e => e.Code));
        for (int i = 0; i < expected.Extensions.Count; i++) Assert.Equal(expected.Extensions[i].Content, actual.Extensions[i].Content);
    }

    [Theory]
    [InlineData("copy.nii", 1)]
    [InlineData("copy.nii.gz", 1)]
    [InlineData("copy.nii.gz", 2)]
    [InlineData("copy.hdr", 1)]
    [InlineData("copy.img.gz", 2)]
    public void Example4d_round_trips_through_every_file_kind(string name, int version)
    {
        using var temp = new TempFolder();
        var original = NiftiReader.Read(Data.Nibabel("example4d.nii.gz"));
        string path = Path.Combine(temp.Path, name);
        NiftiWriter.Write(path, original, version);
        var copy = NiftiReader.Read(path);
        Assert.Equal(version, copy.Header.Version);
        Assert.Equal(!name.Contains(".hdr") && !name.Contains(".img"), copy.Header.SingleFile);
        AssertSameHeader(original.Header, copy.Header);
        Assert.Equal(original.Data, copy.Data);
    }

    [Fact]
    public void Big_endian_file_is_rewritten_little_endian_with_the_same_values()
    {
        using var temp = new TempFolder();
        var original = NiftiReader.Read(Data.Nibabel("reoriented_anat_moved.nii"));
        Assert.True(NiftiReader.ReadHeader(Data.Nibabel("reoriented_anat_moved.nii")).BigEndian);
        string path = Path.Combine(temp.Path, "le.nii");
        NiftiWriter.Write(path, original);
        Assert.Equal(348, BinaryPrimitives.ReadInt32LittleEndian(File.ReadAllBytes(path)));
        var copy = NiftiReader.Read(path);
        Assert.False(copy.Header.BigEndian);
        Assert.Equal(original.ToFloat(), copy.ToFloat());
        AssertSameHeader(original.Header, copy.Header);
    }

    [Fact]
    public void Header_bytes_are_identical_after_a_second_round_trip()
    {
        using var temp = new TempFolder();
        var original = NiftiReader.Read(Data.Nibabel("example_nifti2.nii.gz"));
        string first = Path.Combine(temp.Path, "a.nii"), second = Path.Combine(temp.Path, "b.nii");
        NiftiWriter.Write(first, original);
        NiftiWriter.Write(second, NiftiReader.Read(first));
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Theory]
    [InlineData(NiftiDataType.UInt8)]
    [InlineData(NiftiDataType.Int16)]
    [InlineData(NiftiDataType.Int32)]
    [InlineData(NiftiDataType.Float32)]
    [InlineData(NiftiDataType.Float64)]
    public void Created_images_write_and_read_back_for_each_written_datatype(NiftiDataType type)
    {
        using var temp = new TempFolder();
        long[] shape = [5, 4, 3];
        var values = new float[60];
        for (int i = 0; i < values.Length; i++) values[i] = type == NiftiDataType.UInt8 ? i * 4 : i * 3 - 90;
        double[,] affine = { { -0.8, 0, 0, 100 }, { 0, 0.8, 0, -120 }, { 0, 0, 2.5, -30 }, { 0, 0, 0, 1 } };
        var image = NiftiImage.Create(values, shape, type, affine);
        string path = Path.Combine(temp.Path, "made.nii.gz");
        NiftiWriter.Write(path, image);
        var read = NiftiReader.Read(path);
        Assert.Equal(type, read.DataType);
        Assert.Equal(shape, read.Shape);
        Assert.Equal(values, read.ToFloat());
        Assert.True(NiftiTransforms.MaxDifference(affine, read.Affine) < 1e-6);
        Assert.True(NiftiTransforms.MaxDifference(affine, read.Header.QFormAffine) < 1e-5);
        Assert.Equal([0.8, 0.8, 2.5], read.Spacing.Select(s => Math.Round(s, 6)));
        Assert.Equal(values[1 + 5 * (2 + 4 * 1)], (float)read.GetValue(1, 2, 1));
    }

    [Fact]
    public void Quaternion_of_a_rotated_affine_reproduces_it()
    {
        // 30 degrees about z, then a flip (negative determinant goes into qfac), spacing 0.7 x 0.9 x 3.
        double c = Math.Cos(Math.PI / 6), s = Math.Sin(Math.PI / 6);
        double[,] affine =
        {
            { c * 0.7, -s * 0.9, 0, 10 },
            { s * 0.7, c * 0.9, 0, 20 },
            { 0, 0, -3, 30 },
            { 0, 0, 0, 1 },
        };
        var header = new NiftiHeader();
        header.SetAffine(affine);
        Assert.Equal(-1, header.PixDim[0]);
        Assert.True(NiftiTransforms.MaxDifference(affine, header.QFormAffine) < 1e-12);
        header.SFormCode = 0;
        Assert.Equal("qform", header.AffineSource);
        Assert.True(NiftiTransforms.MaxDifference(affine, header.Affine) < 1e-12);
    }

    [Fact]
    public void Without_codes_the_affine_is_the_spacing_diagonal()
    {
        var header = new NiftiHeader { PixDim = [1, 0.5, 0.75, 4, 1, 1, 1, 1], QFormCode = 0, SFormCode = 0 };
        Assert.Equal("pixdim", header.AffineSource);
        double[,] expected = { { 0.5, 0, 0, 0 }, { 0, 0.75, 0, 0 }, { 0, 0, 4, 0 }, { 0, 0, 0, 1 } };
        Assert.Equal(0, NiftiTransforms.MaxDifference(expected, header.Affine));
    }

    [Fact]
    public void Int8_uint16_uint32_int64_and_big_endian_bytes_are_read()
    {
        using var temp = new TempFolder();
        foreach (var (type, values) in new (NiftiDataType, double[])[]
                 {
                     (NiftiDataType.Int8, [-128, -1, 0, 127]),
                     (NiftiDataType.UInt16, [0, 1, 40000, 65535]),
                     (NiftiDataType.UInt32, [0, 7, 3_000_000_000, 4_294_967_295]),
                     (NiftiDataType.Int64, [-5, 0, 1L << 40, -(1L << 40)]),
                 })
        {
            foreach (bool bigEndian in (bool[])[false, true])
            {
                string path = Path.Combine(temp.Path, $"{type}-{bigEndian}.nii");
                File.WriteAllBytes(path, HandMadeNifti1(type, values, bigEndian));
                var image = NiftiReader.Read(path);
                Assert.Equal(type, image.DataType);
                Assert.Equal(values, image.ToDouble());
            }
        }
    }

    /// <summary>A minimal NIfTI-1 file of 4 x 1 x 1 voxels written byte by byte, in either byte order.</summary>
    internal static byte[] HandMadeNifti1(NiftiDataType type, double[] values, bool bigEndian, short datatypeCode = 0)
    {
        int size = NiftiDataTypes.BytesPerVoxel(type);
        var b = new byte[352 + values.Length * size];
        void I16(int at, short v) { if (bigEndian) BinaryPrimitives.WriteInt16BigEndian(b.AsSpan(at), v); else BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(at), v); }
        void I32(int at, int v) { if (bigEndian) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(at), v); else BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(at), v); }
        void F32(int at, float v) { if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(b.AsSpan(at), v); else BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(at), v); }
        I32(0, 348);
        I16(40, 3);
        I16(42, (short)values.Length);
        I16(44, 1);
        I16(46, 1);
        I16(70, datatypeCode != 0 ? datatypeCode : (short)type);
        I16(72, (short)(size * 8));
        for (int i = 0; i < 4; i++) F32(76 + 4 * i, 1);
        F32(108, 352);
        "n+1"u8.CopyTo(b.AsSpan(344));
        for (int i = 0; i < values.Length; i++)
        {
            var slot = b.AsSpan(352 + i * size, size);
            switch (type)
            {
                case NiftiDataType.Int8: slot[0] = (byte)(sbyte)values[i]; break;
                case NiftiDataType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)values[i]); break;
                case NiftiDataType.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(slot, (uint)values[i]); break;
                case NiftiDataType.Int64: BinaryPrimitives.WriteInt64LittleEndian(slot, (long)values[i]); break;
                case NiftiDataType.Float32: BinaryPrimitives.WriteSingleLittleEndian(slot, (float)values[i]); break;
                default: throw new ArgumentException(type.ToString());
            }
            if (bigEndian) slot.Reverse();
        }
        return b;
    }

    [Fact]
    public void Gzip_output_is_deterministic()
    {
        using var temp = new TempFolder();
        var image = NiftiReader.Read(Data.Nibabel("standard.nii.gz"));
        NiftiWriter.Write(Path.Combine(temp.Path, "a.nii.gz"), image);
        NiftiWriter.Write(Path.Combine(temp.Path, "b.nii.gz"), image);
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Path, "a.nii.gz")), File.ReadAllBytes(Path.Combine(temp.Path, "b.nii.gz")));
        using var gzip = new GZipStream(File.OpenRead(Path.Combine(temp.Path, "a.nii.gz")), CompressionMode.Decompress);
        var head = new byte[4];
        gzip.ReadExactly(head);
        Assert.Equal(348, BinaryPrimitives.ReadInt32LittleEndian(head));
    }
}
