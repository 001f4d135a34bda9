using System.Buffers.Binary;
using System.IO.Compression;
using SoSeg.Data.Nifti;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Data.Nifti;

/// <summary>Every damaged or unsupported NIfTI file fails with a SoSegException that names the file and the problem.</summary>
public class NiftiErrorTests
{
    /// <summary>Read on first use by a test that needs the files, so tests without them run when they are missing.</summary>
    static DebianTestData Data => DebianTestData.Instance;

    static SoSegException Fails(string path)
    {
        var error = Assert.Throws<SoSegException>(() => NiftiReader.Read(path));
        Assert.Contains(Path.GetFileName(path), error.Message);
        return error;
    }

    [Fact]
    public void Truncated_voxel_data_is_reported_with_the_byte_counts()
    {
        using var temp = new TempFolder();
        var bytes = File.ReadAllBytes(Data.Nibabel("anatomical.nii"));
        string path = temp.File("cut.nii");
        File.WriteAllBytes(path, bytes[..(bytes.Length - 1000)]);
        var error = Fails(path);
        Assert.Contains("truncated", error.Message);
        Assert.Contains("expected 67650 bytes", error.Message); // 33 * 41 * 25 int16 voxels
    }

    [Fact]
    public void Truncated_gzip_stream_is_reported()
    {
        using var temp = new TempFolder();
        var bytes = File.ReadAllBytes(Data.Nibabel("example4d.nii.gz"));
        string path = temp.File("cut.nii.gz");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", Fails(path).Message);
    }

    [Fact]
    public void Truncated_header_is_reported()
    {
        using var temp = new TempFolder();
        string path = temp.File("short.nii");
        File.WriteAllBytes(path, File.ReadAllBytes(Data.Nibabel("anatomical.nii"))[..200]);
        Assert.Contains("truncated NIfTI header", Fails(path).Message);
    }

    [Fact]
    public void A_png_renamed_to_nii_is_not_nifti()
    {
        using var temp = new TempFolder();
        string path = temp.File("photo.nii");
        File.Copy(Data.Itk("BrainProtonDensitySlice.png"), path);
        Assert.Contains("not a NIfTI file (sizeof_hdr", Fails(path).Message);
    }

    [Fact]
    public void A_plain_nii_named_gz_is_reported()
    {
        using var temp = new TempFolder();
        string path = temp.File("plain.nii.gz");
        File.Copy(Data.Nibabel("anatomical.nii"), path);
        Assert.Contains("not a gzip file", Fails(path).Message);
    }

    [Fact]
    public void Corrupt_gzip_body_is_reported()
    {
        using var temp = new TempFolder();
        var bytes = File.ReadAllBytes(Data.Nibabel("example4d.nii.gz"));
        for (int i = 200; i < 400; i++) bytes[i] ^= 0x5A;
        string path = temp.File("corrupt.nii.gz");
        File.WriteAllBytes(path, bytes);
        var error = Fails(path);
        Assert.True(error.Message.Contains("corrupt gzip") || error.Message.Contains("truncated") || error.Message.Contains("not a NIfTI"), error.Message);
    }

    [Fact]
    public void Bad_magic_is_reported()
    {
        using var temp = new TempFolder();
        var bytes = File.ReadAllBytes(Data.Nibabel("anatomical.nii"));
        "xyz"u8.CopyTo(bytes.AsSpan(344));
        string path = temp.File("magic.nii");
        File.WriteAllBytes(path, bytes);
        Assert.Contains("bad magic \"xyz", Fails(path).Message);
    }

    [Fact]
    public void Unsupported_datatype_is_named()
    {
        using var temp = new TempFolder();
        string path = temp.File("rgb.nii");
        File.WriteAllBytes(path, NiftiRoundTripTests.HandMadeNifti1(NiftiDataType.Int8, [1, 2, 3, 4], bigEndian: false, datatypeCode: 128));
        var error = Fails(path);
        Assert.Contains("unsupported NIfTI datatype RGB24 (128)", error.Message);
    }

    [Fact]
    public void Missing_file_is_reported()
    {
        Fails(Path.Combine(Path.GetTempPath(), "does-not-exist-" + Guid.NewGuid() + ".nii.gz"));
    }

    [Fact]
    public void NaN_and_infinite_intensities_fail_EnsureFinite_with_the_voxel()
    {
        using var temp = new TempFolder();
        var values = new float[24];
        values[7] = float.NaN;
        values[20] = float.PositiveInfinity;
        string path = temp.File("nan.nii.gz");
        NiftiWriter.Write(path, NiftiImage.Create(values, [2, 3, 4], NiftiDataType.Float32));
        var image = NiftiReader.Read(path);
        var error = Assert.Throws<SoSegException>(image.EnsureFinite);
        Assert.Contains("nan.nii.gz", error.Message);
        Assert.Contains("2 voxel(s) are NaN or infinite", error.Message);
        Assert.Contains("x=1, y=0, z=1", error.Message);
        NiftiReader.Read(Data.Nibabel("anatomical.nii")).EnsureFinite();
    }

    [Fact]
    public void Zero_sized_dimension_is_rejected()
    {
        using var temp = new TempFolder();
        var bytes = NiftiRoundTripTests.HandMadeNifti1(NiftiDataType.Int8, [1, 2, 3, 4], bigEndian: false);
        bytes[44] = 0; // dim[2] = 0
        string path = temp.File("zero.nii");
        File.WriteAllBytes(path, bytes);
        Assert.Contains("dim[2] = 0", Fails(path).Message);
    }

    [Fact]
    public void Writer_rejects_an_unknown_ending()
    {
        var image = NiftiImage.Create(new byte[8], [2, 2, 2]);
        var error = Assert.Throws<SoSegException>(() => NiftiWriter.Write(Path.Combine(Path.GetTempPath(), "x.png"), image));
        Assert.Contains("x.png", error.Message);
    }

    [Fact]
    public void Gzip_helper_sanity_decompresses_a_written_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("ok.nii.gz");
        NiftiWriter.Write(path, NiftiImage.Create(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, [2, 2, 2]));
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gz.CopyTo(memory);
        Assert.Equal(352 + 8, memory.Length);
    }

    /// <summary>A hand-made little-endian 4 x 1 x 1 INT8 file (voxels 1, 2, 3, 4) changed by <paramref name="change"/>, written as <paramref name="name"/>.</summary>
    static string HandMade(TempFolder temp, string name, Action<byte[]> change, int extraBytes = 0)
    {
        var bytes = NiftiRoundTripTests.HandMadeNifti1(NiftiDataType.Int8, [1, 2, 3, 4], bigEndian: false);
        if (extraBytes > 0) bytes = [.. bytes[..352], .. new byte[extraBytes], .. bytes[352..]];
        change(bytes);
        string path = temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    static void Int16At(byte[] bytes, int at, short value) => BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(at), value);
    static void Int32At(byte[] bytes, int at, int value) => BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), value);
    static void FloatAt(byte[] bytes, int at, float value) => BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), value);

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(-1)]
    public void Dimension_count_outside_1_to_7_is_rejected(short dims)
    {
        using var temp = new TempFolder();
        string path = HandMade(temp, "dims.nii", b => Int16At(b, 40, dims));
        Assert.Contains($"dim[0] = {dims}; a NIfTI image has 1 to 7 dimensions", Fails(path).Message);
    }

    [Fact]
    public void Negative_vox_offset_fails_for_a_pair_and_means_right_after_the_header_in_a_single_file()
    {
        using var temp = new TempFolder();
        // A single file: nibabel and ITK read the voxels right after the header.
        string single = HandMade(temp, "single.nii", b => FloatAt(b, 108, -16));
        Assert.Equal([1.0, 2, 3, 4], NiftiReader.Read(single).ToDouble());

        // A pair: the offset is into the .img file, and a negative one has no meaning.
        var bytes = NiftiRoundTripTests.HandMadeNifti1(NiftiDataType.Int8, [1, 2, 3, 4], bigEndian: false);
        "ni1"u8.CopyTo(bytes.AsSpan(344));
        FloatAt(bytes, 108, -16);
        File.WriteAllBytes(temp.File("pair.hdr"), bytes[..348]);
        File.WriteAllBytes(temp.File("pair.img"), bytes[352..]);
        Assert.Contains("vox_offset = -16 is negative", Fails(temp.File("pair.hdr")).Message);
    }

    [Theory]
    [InlineData(4, "NIfTI header extension of 4 bytes does not fit before the voxel data at byte 368")]
    [InlineData(32, "NIfTI header extension of 32 bytes does not fit before the voxel data at byte 368")]
    [InlineData(-16, "NIfTI header extension of -16 bytes does not fit")]
    public void Damaged_extension_sizes_are_reported(int extensionSize, string message)
    {
        using var temp = new TempFolder();
        // Flag on, one 16-byte extension slot between the header and the voxels at 368.
        string path = HandMade(temp, "extension.nii", b =>
        {
            FloatAt(b, 108, 368);
            b[348] = 1;
            Int32At(b, 352, extensionSize);
            Int32At(b, 356, 6); // a comment
        }, extraBytes: 16);
        Assert.Contains(message, Fails(path).Message);
    }

    [Fact]
    public void A_file_ending_inside_an_extension_is_truncated()
    {
        using var temp = new TempFolder();
        var bytes = NiftiRoundTripTests.HandMadeNifti1(NiftiDataType.Int8, [1, 2, 3, 4], bigEndian: false);
        bytes = [.. bytes[..352], .. new byte[16]];
        FloatAt(bytes, 108, 368);
        bytes[348] = 1;
        Int32At(bytes, 352, 16);
        Int32At(bytes, 356, 6);
        string path = temp.File("cut-extension.nii");
        File.WriteAllBytes(path, bytes[..360]);
        Assert.Contains("truncated NIfTI header extension", Fails(path).Message);
    }

    [Fact]
    public void Nifti2_with_a_bad_magic_or_damaged_check_bytes_is_reported()
    {
        using var temp = new TempFolder();
        var header = new byte[544 + 4];
        Int32At(header, 0, 540);
        "n+3\0"u8.CopyTo(header.AsSpan(4));
        string badMagic = temp.File("bad-magic.nii");
        File.WriteAllBytes(badMagic, header);
        Assert.Contains("bad magic \"n+3", Fails(badMagic).Message);
        Assert.Contains("for a 540-byte header", Fails(badMagic).Message);

        "n+2\0"u8.CopyTo(header.AsSpan(4));
        "\n\n\u001a\n"u8.CopyTo(header.AsSpan(8)); // \r\n turned into \n\n by a text-mode transfer
        string damaged = temp.File("text-mode.nii");
        File.WriteAllBytes(damaged, header);
        Assert.Contains("damaged by a text-mode transfer", Fails(damaged).Message);
    }

    [Fact]
    public void An_img_file_without_its_hdr_is_reported_naming_the_expected_header()
    {
        using var temp = new TempFolder();
        string image = temp.File("lonely.img");
        File.WriteAllBytes(image, [1, 2, 3, 4]);
        var error = Fails(image);
        Assert.Contains("the .hdr header of this NIfTI pair is missing", error.Message);
        Assert.Contains(Path.Combine(temp.Path, "lonely.hdr"), error.Message);
    }

    [Fact]
    public void A_volume_too_large_to_hold_fails_before_reading_its_voxels()
    {
        using var temp = new TempFolder();
        // 2000^3 FLOAT32 voxels = 32 GB, over the 2^30-voxel limit; the file itself is tiny.
        var bytes = NiftiRoundTripTests.HandMadeNifti1(NiftiDataType.Float32, [1, 2, 3, 4], bigEndian: false);
        foreach (int at in new[] { 42, 44, 46 }) Int16At(bytes, at, 2000);
        string path = temp.File("huge.nii");
        File.WriteAllBytes(path, bytes);
        Assert.Contains("2000 x 2000 x 2000 = 8000000000 voxels, more than the limit of 1,073,741,824 voxels; refused before reading", Fails(path).Message);
    }

    /// <summary>NIfTI-1 standard: "if the scl_slope field is nonzero, then each voxel value in the dataset should be scaled"; 0 (and a NaN) means none.</summary>
    [Theory]
    [InlineData(0f, 5f, new[] { 1.0, 2, 3, 4 })]
    [InlineData(float.NaN, 5f, new[] { 1.0, 2, 3, 4 })]
    [InlineData(2f, 5f, new[] { 7.0, 9, 11, 13 })]
    [InlineData(1f, 0f, new[] { 1.0, 2, 3, 4 })]
    public void Scl_slope_zero_or_nan_means_no_scaling(float slope, float intercept, double[] expected)
    {
        using var temp = new TempFolder();
        string path = HandMade(temp, "scaled.nii", b => { FloatAt(b, 112, slope); FloatAt(b, 116, intercept); });
        Assert.Equal(expected, NiftiReader.Read(path).ToDouble());
    }
}
