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
}
