using BitMiracle.LibTiff.Classic;
using SoSeg.Data.Datasets;
using SoSeg.Data.Images;
using SoSeg.Tests.Data.Datasets;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Data.Images;

/// <summary>TIFF input: skimage's real test files and CVC-ClinicDB-like files written with LibTiff.</summary>
public class TiffTests
{
    static string Skimage(string name) => DebianTestData.Instance.Skimage(name);

    /// <summary>Writes an 8-bit TIFF (1 or 3 samples per pixel, or 1-bit bilevel) with the given compression.</summary>
    internal static void WriteTiff(string path, byte[] samples, int height, int width, int channels, Compression compression = Compression.LZW, int bits = 8)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var tiff = Tiff.Open(path, "w");
        tiff.SetField(TiffTag.IMAGEWIDTH, width);
        tiff.SetField(TiffTag.IMAGELENGTH, height);
        tiff.SetField(TiffTag.SAMPLESPERPIXEL, channels);
        tiff.SetField(TiffTag.BITSPERSAMPLE, bits);
        tiff.SetField(TiffTag.PHOTOMETRIC, channels == 3 ? Photometric.RGB : Photometric.MINISBLACK);
        tiff.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
        tiff.SetField(TiffTag.COMPRESSION, compression);
        tiff.SetField(TiffTag.ROWSPERSTRIP, height);
        int rowBytes = bits == 1 ? (width + 7) / 8 : width * channels;
        for (int y = 0; y < height; y++)
        {
            var row = new byte[rowBytes];
            if (bits == 1)
            {
                for (int x = 0; x < width; x++)
                    if (samples[y * width + x] != 0) row[x / 8] |= (byte)(0x80 >> (x % 8));
            }
            else Array.Copy(samples, y * rowBytes, row, 0, rowBytes);
            tiff.WriteScanline(row, y);
        }
    }

    [Fact]
    public void Real_grey_multipage_tiff_reads_its_first_page()
    {
        var image = ImageReader.Read(Skimage("multipage.tif"));
        // 10 x 15 grey, 8-bit, two pages; the first page's samples sum to 19125 (read from the strips with Python's struct).
        Assert.Equal((1, 15, 10), (image.Channels, image.Height, image.Width));
        Assert.Equal(19125, (int)Math.Round(image.Data.Sum(v => v * 255.0)));
        Assert.Equal(2 / 255f, image.Data[1], 6);
    }

    [Fact]
    public void Real_16_bit_tiffs_of_both_byte_orders_read_alike_and_are_refused_as_label_masks()
    {
        var little = ImageReader.Read(Skimage("chessboard_GRAY_U16.tif"));
        var big = ImageReader.Read(Skimage("chessboard_GRAY_U16B.tif"));
        Assert.Equal((1, 200, 200), (little.Channels, little.Height, little.Width));
        Assert.Equal(little.Data, big.Data);
        var error = Assert.Throws<SoSegException>(() => MaskReader.Read(Skimage("chessboard_GRAY_U16.tif"), MaskEncoding.Values));
        Assert.Contains("chessboard_GRAY_U16.tif", error.Message);
        Assert.Contains("16-bit TIFF mask", error.Message);
    }

    [Fact]
    public void Real_tiff_of_64_bit_float_samples_fails_naming_the_file()
    {
        // skimage's multipage_rgb.tif: 10 x 10 RGB with 64-bit float samples in separate planes, which LibTiff's RGBA reader does not take.
        var error = Assert.Throws<SoSegException>(() => ImageReader.Read(Skimage("multipage_rgb.tif")));
        Assert.StartsWith(Skimage("multipage_rgb.tif") + ": ", error.Message);
        Assert.Contains("TIFF", error.Message);
    }

    [Fact]
    public void Rgb_tiff_round_trips_exactly_through_lzw_and_uncompressed()
    {
        using var temp = new TempFolder();
        const int height = 6, width = 5;
        var samples = Enumerable.Range(0, height * width * 3).Select(i => (byte)(i * 7 % 256)).ToArray();
        foreach (var compression in new[] { Compression.LZW, Compression.NONE, Compression.PACKBITS })
        {
            string path = temp.File($"frame-{compression}.tif");
            WriteTiff(path, samples, height, width, 3, compression);
            var image = ImageReader.Read(path);
            Assert.Equal((3, height, width), (image.Channels, image.Height, image.Width));
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    for (int c = 0; c < 3; c++)
                        Assert.Equal(samples[(y * width + x) * 3 + c] / 255f, image.Data[c * height * width + y * width + x]);
            Assert.Equal((width, height, 3), ImageReader.ReadInfo(path));
        }
    }

    [Fact]
    public void Grey_and_bilevel_tiff_masks_give_their_label_values()
    {
        using var temp = new TempFolder();
        const int height = 4, width = 9;
        var labels = Enumerable.Range(0, height * width).Select(i => (byte)(i % 3)).ToArray();
        WriteTiff(temp.File("grey.tif"), labels, height, width, 1);
        Assert.Equal(labels, MaskReader.Read(temp.File("grey.tif"), MaskEncoding.Values).Values);

        var binary = labels.Select(v => (byte)(v == 2 ? 1 : 0)).ToArray();
        WriteTiff(temp.File("bilevel.tif"), binary, height, width, 1, Compression.NONE, bits: 1);
        Assert.Equal(binary, MaskReader.Read(temp.File("bilevel.tif"), MaskEncoding.Values).Values);
        Assert.Equal(binary, MaskReader.Read(temp.File("bilevel.tif"), MaskEncoding.Threshold).Values);
    }

    [Fact]
    public void Truncated_or_fake_tiff_fails_naming_the_file()
    {
        using var temp = new TempFolder();
        string path = temp.File("frame.tif");
        WriteTiff(path, Enumerable.Range(0, 40 * 30 * 3).Select(i => (byte)i).ToArray(), 40, 30, 3, Compression.NONE);
        byte[] whole = File.ReadAllBytes(path);
        // Uncompressed strips come first and the directory last: cutting the file loses the directory.
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
        var error = Assert.Throws<SoSegException>(() => ImageReader.Read(path));
        Assert.StartsWith(path + ": ", error.Message);

        string fake = temp.File("fake.tif");
        File.WriteAllBytes(fake, [(byte)'I', (byte)'I', 42, 0, 0xFF, 0xFF, 0xFF, 0x7F]);
        error = Assert.Throws<SoSegException>(() => MaskReader.Read(fake, MaskEncoding.Threshold));
        Assert.StartsWith(fake + ": ", error.Message);
    }

    [Fact]
    public void Cvc_clinicdb_release_folders_pair_original_frames_with_ground_truth()
    {
        using var temp = new TempFolder();
        const int height = 12, width = 16;
        for (int n = 1; n <= 5; n++)
        {
            var rgb = Enumerable.Range(0, height * width * 3).Select(i => (byte)((i + n) % 256)).ToArray();
            WriteTiff(temp.File($"CVC-ClinicDB/Original/{n}.tif"), rgb, height, width, 3);
            WriteTiff(temp.File($"CVC-ClinicDB/Ground Truth/{n}.tif"), TestFiles.Rectangle(height, width, 2, 2 + n, 3, 8, 255), height, width, 1);
        }
        var dataset = SegmentationDataset.Open(temp.File("CVC-ClinicDB"));
        Assert.Equal(DatasetLayout.ImagesMasks, dataset.Layout);
        Assert.Equal(3, dataset.Channels);
        Assert.Equal(["1", "2", "3", "4", "5"], dataset.Cases.Select(c => c.Id).Order());
        Assert.Single(dataset.TestCases); // the paper's 80/20 hold-out of 5 cases
        foreach (var item in dataset.Items(DatasetSubset.Train))
        {
            var sample = dataset.Load(item);
            int n = int.Parse(item.Case.Id);
            Assert.Equal(n * 5, sample.Mask!.Count(v => v == 1));
            Assert.Equal(3 * height * width, sample.Image.Length);
        }
    }

    [Fact]
    public void Test_images_without_a_mask_folder_are_an_error_not_a_silent_skip()
    {
        using var temp = new TempFolder();
        TestFiles.Grey(temp.File("set/train/images/a.png"), 4, 4);
        ImageWriter.WriteMask(temp.File("set/train/masks/a.png"), new byte[16], 4, 4);
        TestFiles.Grey(temp.File("set/test/images/b.png"), 4, 4);
        var error = Assert.Throws<SoSegException>(() => SegmentationDataset.Open(temp.File("set")));
        Assert.Contains(Path.Combine(temp.File("set"), "test"), error.Message);
        Assert.Contains("no mask folder", error.Message);
    }
}
