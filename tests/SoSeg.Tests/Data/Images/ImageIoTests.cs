using SoSeg.Data.Images;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Data.Images;

/// <summary>
/// Image and mask reading on real files from insighttoolkit5-examples and python3-skimage. Expected palette
/// indices and counts come from decoding the PNG streams independently (zlib + PNG unfiltering).
/// </summary>
public class ImageIoTests
{
    /// <summary>Read on first use by a test that needs the files, so tests without them run when they are missing.</summary>
    static DebianTestData Data => DebianTestData.Instance;

    [Fact]
    public void Grey_palette_brain_slice_reads_as_one_channel_with_its_intensities()
    {
        var image = ImageReader.Read(Data.Itk("BrainProtonDensitySlice.png"));
        Assert.Equal((1, 217, 181), (image.Channels, image.Height, image.Width));
        // The palette maps index i to grey (i, i, i); the indices sum to 4860107 over the 181 x 217 pixels.
        double sum = image.Data.Sum(v => Math.Round(v * 255));
        Assert.Equal(4860107, sum);
        Assert.Equal(251 / 255f, image.Data.Max(), 6);
        Assert.Equal((181, 217, 1), ImageReader.ReadInfo(Data.Itk("BrainProtonDensitySlice.png")));
    }

    [Fact]
    public void Ventricle_model_is_a_small_binary_mask()
    {
        string path = Data.Itk("VentricleModel.png");
        // Palette indices: 0 x 38595, 1 x 19, 254 x 23, 255 x 640.
        var values = MaskReader.Read(path, MaskEncoding.Values);
        Assert.Equal((217, 181), (values.Height, values.Width));
        Assert.Equal(38595, values.Values.Count(v => v == 0));
        Assert.Equal(19, values.Values.Count(v => v == 1));
        Assert.Equal(23, values.Values.Count(v => v == 254));
        Assert.Equal(640, values.Values.Count(v => v == 255));
        var binary = MaskReader.Read(path, MaskEncoding.Threshold);
        Assert.Equal(663, binary.Values.Count(v => v == 1));
        Assert.Equal(values.Values.Length - 663, binary.Values.Count(v => v == 0));
    }

    [Fact]
    public void Indexed_png_masks_give_palette_indices_not_colours()
    {
        var foo = MaskReader.Read(Data.Skimage("foo3x5x4indexed.png"), MaskEncoding.Values);
        Assert.Equal((3, 5), (foo.Height, foo.Width));
        Assert.Equal(new byte[] { 2, 2, 2, 2, 2, 3, 3, 0, 0, 0, 1, 1, 1, 1, 1 }, foo.Values);

        var grey = MaskReader.Read(Data.Skimage("palette_gray.png"), MaskEncoding.Values);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, grey.Values[..10]);
        Assert.Equal(23100, WeightedSum(grey.Values));

        var colour = MaskReader.Read(Data.Skimage("palette_color.png"), MaskEncoding.Values);
        Assert.Equal(new byte[] { 191, 108, 72, 194, 73, 65, 79, 130, 216, 131 }, colour.Values[..10]);
        Assert.Equal(555323, WeightedSum(colour.Values));

        var green = MaskReader.Read(Data.Skimage("green_palette.png"), MaskEncoding.Values);
        Assert.Equal(59952, green.Values.Count(v => v == 0));
        Assert.Equal(4176, green.Values.Count(v => v == 1));
        Assert.Equal(17, green.Values.Max());
        Assert.Equal(3482408687L, WeightedSum(green.Values));
    }

    [Fact]
    public void One_bit_masks_keep_values_zero_and_one()
    {
        var palette = MaskReader.Read(Data.Itk("FivePoints.png"), MaskEncoding.Values);
        Assert.Equal(5, palette.Values.Count(v => v == 1));
        Assert.Equal(512 * 512 - 5, palette.Values.Count(v => v == 0));

        var grey = MaskReader.Read(Data.Itk("BrainProtonDensitySliceBorder20Mask.png"), MaskEncoding.Values);
        Assert.Equal(30728, grey.Values.Count(v => v == 1));
        Assert.Equal(26069, grey.Values.Count(v => v == 0));
        var bilevel = MaskReader.Read(Data.Skimage("checker_bilevel.png"), MaskEncoding.Values);
        Assert.Equal(50, bilevel.Values.Count(v => v == 1));
    }

    [Fact]
    public void Colour_photos_read_as_three_channels_in_unit_range()
    {
        var ihc = ImageReader.Read(Data.Skimage("ihc.png"));
        Assert.Equal((3, 512, 512), (ihc.Channels, ihc.Height, ihc.Width));
        Assert.InRange(ihc.Data.Min(), 0f, 1f);
        Assert.InRange(ihc.Data.Max(), 0f, 1f);
        var retina = ImageReader.Read(Data.Skimage("retina.jpg"));
        Assert.Equal(3, retina.Channels);
        Assert.True(retina.Height > 100 && retina.Width > 100);
        // A retina photo is mostly red: mean red above mean blue.
        int n = retina.PixelCount;
        Assert.True(retina.Data.AsSpan(0, n).ToArray().Average() > retina.Data.AsSpan(2 * n, n).ToArray().Average());
        var camera = ImageReader.Read(Data.Skimage("camera.png"));
        Assert.Equal(1, camera.Channels);
    }

    [Fact]
    public void Truncated_jpeg_from_skimage_is_a_clear_error()
    {
        var error = Assert.Throws<SoSegException>(() => ImageReader.Read(Data.Skimage("truncated.jpg")));
        Assert.Contains("truncated.jpg", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Truncated_png_and_garbage_files_name_the_file()
    {
        using var temp = new TempFolder();
        var bytes = File.ReadAllBytes(Data.Skimage("camera.png"));
        string cut = temp.File("cut.png");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<SoSegException>(() => ImageReader.Read(cut));
        Assert.Contains("cut.png", error.Message);
        Assert.Contains("truncated", error.Message);

        string garbage = temp.File("noise.png");
        File.WriteAllBytes(garbage, Enumerable.Range(0, 500).Select(i => (byte)(i * 7)).ToArray());
        error = Assert.Throws<SoSegException>(() => MaskReader.Read(garbage, MaskEncoding.Values));
        Assert.Contains("noise.png", error.Message);

        string empty = temp.File("empty.jpg");
        File.WriteAllBytes(empty, []);
        Assert.Contains("empty file", Assert.Throws<SoSegException>(() => ImageReader.Read(empty)).Message);
    }

    [Fact]
    public void Written_masks_and_images_read_back_exactly()
    {
        using var temp = new TempFolder();
        var labels = new byte[6 * 4];
        for (int i = 0; i < labels.Length; i++) labels[i] = (byte)(i % 3);
        ImageWriter.WriteMask(temp.File("mask.png"), labels, 6, 4);
        Assert.Equal(labels, MaskReader.Read(temp.File("mask.png"), MaskEncoding.Values).Values);

        var colours = new Dictionary<byte, byte[]> { [0] = [0, 0, 0], [1] = [255, 0, 0], [2] = [0, 255, 0] };
        ImageWriter.WriteColourMask(temp.File("colour.png"), labels, 6, 4, colours);
        var map = colours.ToDictionary(kv => MaskReader.Pack(kv.Value[0], kv.Value[1], kv.Value[2]), kv => kv.Key);
        Assert.Equal(labels, MaskReader.Read(temp.File("colour.png"), MaskEncoding.ColourCoded, map).Values);

        var rgb = new float[3 * 6 * 4];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (i * 11 % 256) / 255f;
        ImageWriter.WriteRgb(temp.File("rgb.png"), rgb, 6, 4);
        var back = ImageReader.Read(temp.File("rgb.png"));
        Assert.Equal(3, back.Channels);
        Assert.Equal(rgb, back.Data);

        var grey = new float[24];
        for (int i = 0; i < grey.Length; i++) grey[i] = i / 23f;
        ImageWriter.WriteGrey(temp.File("grey.png"), grey, 6, 4);
        var greyBack = ImageReader.Read(temp.File("grey.png"));
        Assert.Equal(1, greyBack.Channels);
        for (int i = 0; i < grey.Length; i++) Assert.Equal(grey[i], greyBack.Data[i], 1 / 500f);

        Assert.Throws<SoSegException>(() => ImageWriter.WriteMask(temp.File("mask.jpg"), labels, 6, 4));
    }

    [Fact]
    public void Colour_mask_with_an_unknown_colour_names_the_pixel()
    {
        using var temp = new TempFolder();
        var labels = new byte[] { 0, 1, 2, 1 };
        var colours = new Dictionary<byte, byte[]> { [0] = [0, 0, 0], [1] = [255, 0, 0], [2] = [0, 0, 255] };
        ImageWriter.WriteColourMask(temp.File("m.png"), labels, 2, 2, colours);
        var partial = new Dictionary<int, byte> { [MaskReader.Pack(0, 0, 0)] = 0, [MaskReader.Pack(255, 0, 0)] = 1 };
        var error = Assert.Throws<SoSegException>(() => MaskReader.Read(temp.File("m.png"), MaskEncoding.ColourCoded, partial));
        Assert.Contains("m.png", error.Message);
        Assert.Contains("(0, 0, 255) at x=0, y=1", error.Message);

        var values = Assert.Throws<SoSegException>(() => MaskReader.Read(temp.File("m.png"), MaskEncoding.Values));
        Assert.Contains("colour_map", values.Message);
    }

    [Fact]
    public void Jpeg_masks_are_thresholded_at_half_range()
    {
        using var temp = new TempFolder();
        var pixels = new byte[16 * 16];
        for (int y = 4; y < 12; y++)
            for (int x = 4; x < 12; x++) pixels[y * 16 + x] = 255;
        ImageWriter.WriteGrey(temp.File("mask.jpg"), pixels, 16, 16);
        var mask = MaskReader.Read(temp.File("mask.jpg"), MaskEncoding.Threshold, foregroundValue: 1);
        Assert.Equal(64, mask.Values.Count(v => v == 1));
        Assert.Equal(1, mask.Values[5 * 16 + 5]);
        Assert.Throws<SoSegException>(() => MaskReader.Read(temp.File("mask.jpg"), MaskEncoding.Values));
    }

    [Fact]
    public void Bmp_files_are_read()
    {
        // A 3 x 2 24-bit BMP written by hand: rows bottom-up, BGR, each row padded to 4 bytes.
        using var temp = new TempFolder();
        byte[][] rgbTopDown = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30], [40, 50, 60], [70, 80, 90]];
        int rowBytes = (3 * 3 + 3) / 4 * 4;
        var bmp = new byte[54 + rowBytes * 2];
        "BM"u8.CopyTo(bmp);
        BitConverter.GetBytes(bmp.Length).CopyTo(bmp, 2);
        BitConverter.GetBytes(54).CopyTo(bmp, 10);
        BitConverter.GetBytes(40).CopyTo(bmp, 14);
        BitConverter.GetBytes(3).CopyTo(bmp, 18);
        BitConverter.GetBytes(2).CopyTo(bmp, 22);
        BitConverter.GetBytes((short)1).CopyTo(bmp, 26);
        BitConverter.GetBytes((short)24).CopyTo(bmp, 28);
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
            {
                var rgb = rgbTopDown[y * 3 + x];
                int at = 54 + (1 - y) * rowBytes + 3 * x;
                (bmp[at], bmp[at + 1], bmp[at + 2]) = (rgb[2], rgb[1], rgb[0]);
            }
        string path = temp.File("tiny.bmp");
        File.WriteAllBytes(path, bmp);
        var image = ImageReader.Read(path);
        Assert.Equal((3, 2, 3), (image.Channels, image.Height, image.Width));
        Assert.Equal(rgbTopDown.Select(c => c[0] / 255f), image.Data[..6]);
        Assert.Equal(rgbTopDown.Select(c => c[2] / 255f), image.Data[12..]);
    }

    static long WeightedSum(byte[] values)
    {
        long sum = 0;
        for (int i = 0; i < values.Length; i++) sum += (long)i * values[i];
        return sum;
    }
}
