using SoSeg.Data;
using SoSeg.Data.Datasets;
using SoSeg.Data.Images;
using SoSeg.Data.Nifti;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Data.Datasets;

public class SoSegLayoutTests
{
    /// <summary>SemSperm-like: 3 classes stored as values 0, 10, 20 in grey PNG masks; one test case with a label.</summary>
    static string MakeGreyDataset(TempFolder temp)
    {
        TestFiles.Json(temp.File("ds/dataset.json"), """
            { "name": "Sperm", "channel_names": { "0": "grey" },
              "labels": { "background": 0, "normal": 10, "abnormal": 20 },
              "numTraining": 3, "numTest": 1, "file_ending": ".png" }
            """);
        foreach (string id in (string[])["s001", "s002", "s003"])
        {
            TestFiles.Grey(temp.File($"ds/imagesTr/{id}_0000.png"), 12, 16);
            var mask = TestFiles.Rectangle(12, 16, 2, 4, 2, 5, 10);
            TestFiles.Rectangle(12, 16, 8, 10, 10, 14, 20, mask);
            ImageWriter.WriteMask(temp.File($"ds/labelsTr/{id}.png"), mask, 12, 16);
        }
        TestFiles.Grey(temp.File("ds/imagesTs/t001_0000.png"), 12, 16);
        ImageWriter.WriteMask(temp.File("ds/labelsTs/t001.png"), new byte[12 * 16], 12, 16);
        return temp.File("ds");
    }

    [Fact]
    public void Grey_png_dataset_maps_label_values_to_contiguous_classes()
    {
        using var temp = new TempFolder();
        var dataset = SegmentationDataset.Open(MakeGreyDataset(temp));
        Assert.Equal(DatasetLayout.SoSeg, dataset.Layout);
        Assert.True(dataset.LayoutHasTestSet);
        Assert.Equal(3, dataset.TrainCases.Count);
        Assert.Single(dataset.TestCases);
        Assert.Equal(3, dataset.NumClasses);
        Assert.Equal(["background", "normal", "abnormal"], dataset.Labels.Names);

        var item = dataset.Items(DatasetSubset.Train)[1];
        Assert.Equal("s002", item.Id);
        var sample = dataset.Load(item);
        Assert.Equal((1, 12, 16), (sample.Channels, sample.Height, sample.Width));
        Assert.Equal(TestFiles.GreyPixels(12, 16).Select(v => v / 255f), sample.Image);
        Assert.Equal(6, sample.Mask!.Count(v => v == 1));
        Assert.Equal(8, sample.Mask!.Count(v => v == 2));
        Assert.Equal(1, sample.Mask![2 * 16 + 2]);
        Assert.Equal(2, sample.Mask[9 * 16 + 13]);
        Assert.EndsWith("s002_0000.png", sample.Origin.ImagePath);
        Assert.EndsWith("s002.png", sample.Origin.MaskPath);
        Assert.Null(sample.Origin.SliceIndex);

        var (mask, height, width) = dataset.LoadMask(item);
        Assert.Equal(sample.Mask, mask);
        Assert.Equal((12, 16), (height, width));
    }

    [Fact]
    public void Indexed_png_masks_read_palette_indices_and_colour_masks_go_through_the_colour_map()
    {
        using var temp = new TempFolder();
        TestFiles.Json(temp.File("idx/dataset.json"), """
            { "channel_names": { "0": "R", "1": "G", "2": "B" }, "labels": { "background": 0, "head": 1, "tail": 2 }, "file_ending": ".png" }
            """);
        TestFiles.Rgb(temp.File("idx/imagesTr/a_0000.png"), 6, 8);
        var indices = TestFiles.Rectangle(6, 8, 1, 3, 1, 3, 1);
        TestFiles.Rectangle(6, 8, 4, 5, 0, 8, 2, indices);
        // Index 0 is green, 1 red, 2 blue: a decoder that kept colours would give 3 different channel values.
        TestFiles.IndexedPng(temp.File("idx/labelsTr/a.png"), indices, 6, 8, [[0, 255, 0], [255, 0, 0], [0, 0, 255]]);
        var sample = SegmentationDataset.Open(temp.File("idx")).Load(SegmentationDataset.Open(temp.File("idx")).Items(DatasetSubset.Train)[0]);
        Assert.Equal(3, sample.Channels);
        Assert.Equal(indices, sample.Mask);

        TestFiles.Json(temp.File("col/dataset.json"), """
            { "channel_names": { "0": "R", "1": "G", "2": "B" }, "labels": { "background": 0, "normal": 1, "abnormal": 2 },
              "colour_map": { "background": [0, 0, 0], "normal": [0, 255, 0], "abnormal": [255, 0, 255] }, "file_ending": ".png" }
            """);
        TestFiles.Rgb(temp.File("col/imagesTr/b_0000.png"), 6, 8);
        var colours = new Dictionary<byte, byte[]> { [0] = [0, 0, 0], [1] = [0, 255, 0], [2] = [255, 0, 255] };
        ImageWriter.WriteColourMask(temp.File("col/labelsTr/b.png"), indices, 6, 8, colours);
        var coloured = SegmentationDataset.Open(temp.File("col"));
        Assert.Equal(indices, coloured.Load(coloured.Items(DatasetSubset.Train)[0]).Mask);
    }

    [Fact]
    public void Real_palette_file_from_skimage_serves_as_a_multi_class_mask()
    {
        using var temp = new TempFolder();
        var data = DebianTestData.Instance;
        TestFiles.Json(temp.File("foo/dataset.json"), """
            { "channel_names": { "0": "grey" }, "labels": { "background": 0, "a": 1, "b": 2, "c": 3 }, "file_ending": ".png" }
            """);
        TestFiles.Grey(temp.File("foo/imagesTr/foo_0000.png"), 3, 5);
        File.Copy(data.Skimage("foo3x5x4indexed.png"), temp.File("foo/labelsTr/foo.png"));
        var dataset = SegmentationDataset.Open(temp.File("foo"));
        var sample = dataset.Load(dataset.Items(DatasetSubset.Train)[0]);
        Assert.Equal(new byte[] { 2, 2, 2, 2, 2, 3, 3, 0, 0, 0, 1, 1, 1, 1, 1 }, sample.Mask);
    }

    [Fact]
    public void Multi_file_channels_are_stacked_in_channel_order()
    {
        using var temp = new TempFolder();
        TestFiles.Json(temp.File("mc/dataset.json"), """
            { "channel_names": { "0": "T1", "1": "T2" }, "labels": { "background": 0, "lesion": 1 }, "file_ending": ".png" }
            """);
        ImageWriter.WriteGrey(temp.File("mc/imagesTr/c1_0000.png"), Enumerable.Repeat((byte)10, 12).ToArray(), 3, 4);
        ImageWriter.WriteGrey(temp.File("mc/imagesTr/c1_0001.png"), Enumerable.Repeat((byte)200, 12).ToArray(), 3, 4);
        ImageWriter.WriteMask(temp.File("mc/labelsTr/c1.png"), new byte[12], 3, 4);
        var dataset = SegmentationDataset.Open(temp.File("mc"));
        var sample = dataset.Load(dataset.Items(DatasetSubset.Train)[0]);
        Assert.Equal(2, sample.Channels);
        Assert.All(sample.Image[..12], v => Assert.Equal(10 / 255f, v));
        Assert.All(sample.Image[12..], v => Assert.Equal(200 / 255f, v));
    }

    [Fact]
    public void Volume_dataset_is_sliced_axially_with_per_volume_percentile_normalisation()
    {
        using var temp = new TempFolder();
        const int nx = 10, ny = 8, nz = 5;
        TestFiles.Json(temp.File("vol/dataset.json"), """
            { "channel_names": { "0": "T1" }, "labels": { "background": 0, "liver": 1, "tumour": 2 }, "file_ending": ".nii.gz" }
            """);
        foreach (string id in (string[])["liver_001", "liver_002"])
        {
            TestFiles.Volume(temp.File($"vol/imagesTr/{id}_0000.nii.gz"), TestFiles.Ramp(nx, ny, nz), nx, ny, nz);
            TestFiles.Labels(temp.File($"vol/labelsTr/{id}.nii.gz"), TestFiles.LiverLabels(nx, ny, nz), nx, ny, nz);
        }
        var dataset = SegmentationDataset.Open(temp.File("vol"));
        Assert.True(dataset.IsVolumetric);
        var items = dataset.Items(DatasetSubset.Train);
        Assert.Equal(2 * nz, items.Count);
        Assert.Equal("liver_001_z002", items[2].Id);

        var sample = dataset.Load(items[2]);
        Assert.Equal((1, ny, nx), (sample.Channels, sample.Height, sample.Width));
        Assert.Equal("liver_001", sample.Origin.Group);
        Assert.Equal(2, sample.Origin.SliceIndex);
        // The ramp's 400 values sorted: 101..179 (the 100 is the 30000 outlier), 200..279, ..., 500..579, 30000.
        // 0.5th percentile at rank 0.005 x 399 = 1.995: 102 + 0.995; 99.5th at rank 397.005: 578 + 0.005 (579 - 578).
        // The outlier lies above the upper percentile and is clipped to 1.
        var all = TestFiles.Ramp(nx, ny, nz);
        const float low = 102.995f, high = 578.005f;
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++)
            {
                float raw = all[x + nx * (y + ny * 2)];
                float expected = Math.Clamp((raw - low) / (high - low), 0, 1);
                Assert.Equal(expected, sample.Image[y * nx + x], 5);
            }
        Assert.Equal(4, sample.Mask!.Count(v => v == 2));
        Assert.Equal((nx - 4) * (ny - 4) - 4, sample.Mask!.Count(v => v == 1));

        // Dropping label-free slices keeps slices 1..3 of each volume.
        var kept = dataset.Items(DatasetSubset.Train, dropEmptySlices: true);
        Assert.Equal(["liver_001_z001", "liver_001_z002", "liver_001_z003", "liver_002_z001", "liver_002_z002", "liver_002_z003"], kept.Select(i => i.Id));
    }

    [Fact]
    public void Slices_of_a_volume_come_from_one_decode_even_when_loaded_in_parallel()
    {
        // 8 volumes of 128 x 128 x 32: the first slice of a volume decodes it, the others come from the cache.
        using var temp = new TempFolder();
        const int nx = 128, ny = 128, nz = 32;
        TestFiles.Json(temp.File("perf/dataset.json"), """
            { "channel_names": { "0": "T1" }, "labels": { "background": 0, "liver": 1, "tumour": 2 }, "file_ending": ".nii.gz" }
            """);
        for (int v = 0; v < 8; v++)
        {
            TestFiles.Volume(temp.File($"perf/imagesTr/v{v}_0000.nii.gz"), TestFiles.Ramp(nx, ny, nz), nx, ny, nz);
            TestFiles.Labels(temp.File($"perf/labelsTr/v{v}.nii.gz"), TestFiles.LiverLabels(nx, ny, nz), nx, ny, nz);
        }
        var dataset = SegmentationDataset.Open(temp.File("perf"));
        var items = dataset.Items(DatasetSubset.Train);
        var order = items.OrderBy(i => (i.Id.GetHashCode() & 0x7fffffff) % 997).ToList();
        var first = new System.Collections.Concurrent.ConcurrentDictionary<string, float[]>();
        Parallel.ForEach(order, item => first[item.Id] = dataset.Load(item).Image);
        Assert.Equal(8 * nz, first.Count);
        Assert.All(first.Values, image => Assert.Equal(nx * ny, image.Length));

        // Every volume is decoded by now: with the files gone, every slice still loads, unchanged.
        foreach (var file in Directory.GetFiles(temp.File("perf/imagesTr"))) File.Delete(file);
        foreach (var file in Directory.GetFiles(temp.File("perf/labelsTr"))) File.Delete(file);
        Parallel.ForEach(order, item => Assert.Equal(first[item.Id], dataset.Load(item).Image));
    }

    [Fact]
    public void Assembler_writes_slice_predictions_back_on_the_input_grid()
    {
        using var temp = new TempFolder();
        const int nx = 6, ny = 5, nz = 4;
        TestFiles.Json(temp.File("w/dataset.json"), """
            { "channel_names": { "0": "T1" }, "labels": { "background": 0, "liver": 3, "tumour": 7 }, "file_ending": ".nii.gz" }
            """);
        var labels = TestFiles.LiverLabels(nx, ny, nz).Select(v => v switch { 1 => (byte)3, 2 => (byte)7, _ => (byte)0 }).ToArray();
        TestFiles.Volume(temp.File("w/imagesTr/a_0000.nii.gz"), TestFiles.Ramp(nx, ny, nz), nx, ny, nz);
        TestFiles.Labels(temp.File("w/labelsTr/a.nii.gz"), labels, nx, ny, nz);
        var dataset = SegmentationDataset.Open(temp.File("w"));
        var volumeCase = dataset.TrainCases[0];
        var assembler = dataset.CreateAssembler(volumeCase);
        // "Predict" the ground truth: class maps of the slices.
        foreach (var item in dataset.Items([volumeCase])) assembler.AddSlice(item.SliceIndex!.Value, dataset.Load(item).Mask!);
        Assert.True(assembler.IsComplete);
        string output = temp.File("pred/a.nii.gz");
        assembler.Write(output);

        var written = NiftiReader.Read(output);
        var input = NiftiReader.Read(volumeCase.ImagePaths[0]);
        Assert.Equal(NiftiDataType.UInt8, written.DataType);
        Assert.Equal(input.Shape, written.Shape);
        Assert.Equal(0, NiftiTransforms.MaxDifference(input.Header.SFormAffine, written.Header.SFormAffine));
        Assert.Equal(input.Header.QFormCode, written.Header.QFormCode);
        Assert.Equal(input.Header.PixDim[..4], written.Header.PixDim[..4]);
        Assert.Equal(labels, written.Voxels<byte>().ToArray());
    }

    [Fact]
    public void Bare_inputs_for_prediction_load_like_dataset_items()
    {
        using var temp = new TempFolder();
        const int nx = 7, ny = 6, nz = 3;
        TestFiles.Volume(temp.File("in/scan.nii.gz"), TestFiles.Ramp(nx, ny, nz), nx, ny, nz);
        var (geometry, slices) = InputLoader.LoadVolume([temp.File("in/scan.nii.gz")]);
        Assert.Equal(nz, slices.Count);
        Assert.Equal("scan_z001", slices[1].Id);
        Assert.Equal(1, slices[1].Origin.SliceIndex);
        Assert.Null(slices[1].Mask);
        Assert.Equal(nz, geometry.SliceCount);
        // Same numbers as a dataset would give for this volume.
        TestFiles.Labels(temp.File("ds/labelsTr/lb0.nii.gz"), new byte[nx * ny * nz], nx, ny, nz);
        File.Copy(temp.File("in/scan.nii.gz"), temp.File("ds/imagesTr/im0.nii.gz"));
        var dataset = SegmentationDataset.Open(temp.File("ds"), new DatasetOptions { TestFraction = 0 });
        Assert.Equal(dataset.Load(dataset.Items(DatasetSubset.Train)[1]).Image, slices[1].Image);

        TestFiles.Rgb(temp.File("in/photo.png"), 5, 4);
        var photo = InputLoader.LoadImage([temp.File("in/photo.png")], expectedChannels: 3);
        Assert.Equal(("photo", 3, 5, 4), (photo.Id, photo.Channels, photo.Height, photo.Width));
        var error = Assert.Throws<SoSegException>(() => InputLoader.LoadImage([temp.File("in/photo.png")], expectedChannels: 1));
        Assert.Contains("photo.png: has 3 channel(s) but the model lists 1", error.Message);
        Assert.Throws<SoSegException>(() => InputLoader.LoadVolume([temp.File("in/scan.nii.gz")], expectedChannels: 2));
    }
}
