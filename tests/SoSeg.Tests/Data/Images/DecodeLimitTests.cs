using System.Buffers.Binary;
using SoSeg.Data.Images;
using SoSeg.Data.Nifti;
using SoSeg.Tests.Data.Datasets;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Data.Images;

/// <summary>
/// Decoders refuse incomplete files and oversized headers before allocating, naming the file. The progressive
/// JPEG fixture was made with libjpeg-turbo's `cjpeg -progressive -grayscale` (96 x 64 pixels, 10 scans).
/// </summary>
public class DecodeLimitTests
{
    internal static string ProgressiveJpeg => Path.Combine(AppContext.BaseDirectory, "TestData", "Files", "progressive-grey.jpg");

    /// <summary>The first <paramref name="percent"/>% of the fixture's bytes, written to <paramref name="path"/>.</summary>
    internal static string CutProgressiveJpeg(string path, int percent)
    {
        var bytes = File.ReadAllBytes(ProgressiveJpeg);
        File.WriteAllBytes(path, bytes[..(bytes.Length * percent / 100)]);
        return path;
    }

    [Fact]
    public void The_fixture_is_a_complete_progressive_jpeg()
    {
        var bytes = File.ReadAllBytes(ProgressiveJpeg);
        Assert.True(bytes.AsSpan().IndexOf([(byte)0xFF, (byte)0xC2]) > 0, "SOF2 (progressive) marker expected");
        Assert.True(JpegStructure.IsComplete(bytes));
        var image = ImageReader.Read(ProgressiveJpeg);
        Assert.Equal((1, 64, 96), (image.Channels, image.Height, image.Width));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(50)]
    [InlineData(90)]
    public void A_cut_progressive_jpeg_is_refused_naming_the_file(int percent)
    {
        using var temp = new TempFolder();
        string path = CutProgressiveJpeg(temp.File($"cut{percent}.jpg"), percent);
        Assert.False(JpegStructure.IsComplete(File.ReadAllBytes(path)));
        foreach (var read in new Action[] { () => ImageReader.Read(path), () => ImageReader.ReadInfo(path), () => MaskReader.Read(path, MaskEncoding.Threshold) })
        {
            var error = Assert.Throws<SoSegException>(read);
            Assert.Contains(path, error.Message);
            Assert.Contains("truncated", error.Message);
        }
    }

    [Fact]
    public void Jpeg_structure_accepts_trailing_bytes_after_the_end_marker_and_stuffed_bytes_in_scans()
    {
        var bytes = File.ReadAllBytes(ProgressiveJpeg);
        Assert.True(JpegStructure.IsComplete([.. bytes, 0, 1, 2]));
        // Cut exactly before the end-of-image marker: every scan is there, the marker is not.
        Assert.False(JpegStructure.IsComplete(bytes[..^2]));
        Assert.False(JpegStructure.IsComplete([0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF, 0x00, 0x34]));
        Assert.True(JpegStructure.IsComplete([0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF, 0x00, 0xFF, 0xD3, 0x34, 0xFF, 0xD9]));
    }

    [Fact]
    public void A_png_declaring_60000_by_60000_pixels_is_refused_before_decoding()
    {
        using var temp = new TempFolder();
        string path = TestFiles.HeaderOnlyPng(temp.File("huge.png"), 60000, 60000);
        foreach (var read in new Action[] { () => ImageReader.Read(path), () => ImageReader.ReadInfo(path), () => MaskReader.Read(path, MaskEncoding.Values) })
        {
            var error = Assert.Throws<SoSegException>(read);
            Assert.Contains(path, error.Message);
            Assert.Contains("60000 x 60000", error.Message);
            Assert.Contains("limit", error.Message);
        }
        // Just inside the limit the header is accepted (the file then fails as truncated, not as too large).
        string inside = TestFiles.HeaderOnlyPng(temp.File("inside.png"), 16384, 16384);
        Assert.Equal((16384, 16384, 1), ImageReader.ReadInfo(inside));
    }

    [Fact]
    public void A_tiff_declaring_too_many_pixels_is_refused_before_decoding()
    {
        using var temp = new TempFolder();
        string path = temp.File("huge.tif");
        // Little-endian baseline TIFF: one IFD of width, length, bits, photometric, strip offset, rows per strip, strip bytes.
        (ushort Tag, ushort Type, uint Value)[] entries =
            [(256, 4, 60000), (257, 4, 60000), (258, 3, 8), (262, 3, 1), (273, 4, 8), (278, 4, 60000), (279, 4, 16)];
        var bytes = new byte[8 + 2 + entries.Length * 12 + 4 + 16];
        "II"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)entries.Length);
        for (int i = 0; i < entries.Length; i++)
        {
            var at = bytes.AsSpan(10 + 12 * i);
            BinaryPrimitives.WriteUInt16LittleEndian(at, entries[i].Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(at[2..], entries[i].Type);
            BinaryPrimitives.WriteUInt32LittleEndian(at[4..], 1);
            if (entries[i].Type == 3) BinaryPrimitives.WriteUInt16LittleEndian(at[8..], (ushort)entries[i].Value);
            else BinaryPrimitives.WriteUInt32LittleEndian(at[8..], entries[i].Value);
        }
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<SoSegException>(() => ImageReader.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("60000 x 60000", error.Message);
    }

    [Fact]
    public void A_nifti_header_declaring_too_many_voxels_is_refused_before_reading()
    {
        using var temp = new TempFolder();
        string path = temp.File("huge.nii");
        TestFiles.Volume(path, new float[8 * 8 * 4], 8, 8, 4);
        var bytes = File.ReadAllBytes(path);
        // NIfTI-1 dim[1..3] are int16 at bytes 42, 44, 46.
        foreach (int offset in new[] { 42, 44, 46 }) BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(offset), 30000);
        File.WriteAllBytes(path, bytes);
        foreach (var read in new Action[] { () => NiftiReader.Read(path), () => NiftiReader.ReadHeader(path) })
        {
            var error = Assert.Throws<SoSegException>(read);
            Assert.Contains(path, error.Message);
            Assert.Contains("limit", error.Message);
        }
    }
}
