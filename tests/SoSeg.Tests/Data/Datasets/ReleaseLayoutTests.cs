using SoSeg.Data.Datasets;
using SoSeg.Data.Images;
using SoSeg.Data.Nifti;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Data.Datasets;

/// <summary>ATLAS, PolypGen and images/masks folders built with the file names of the real releases.</summary>
public class ReleaseLayoutTests
{
    [Fact]
    public void Atlas_release_folder_is_found_below_the_archive_root()
    {
        using var temp = new TempFolder();
        const int nx = 8, ny = 7, nz = 4;
        string train = temp.File("atlas-train-dataset-1.0.1/train/x");
        train = Path.GetDirectoryName(train)!;
        TestFiles.AtlasVolumes(train, 5, nx, ny, nz);
        // The release's dataset.json uses the older Decathlon form.
        TestFiles.Json(Path.Combine(train, "dataset.json"), """
            { "name": "ATLAS", "labels": { "0": "background", "1": "liver", "2": "tumor" }, "modality": { "0": "MRI" },
              "training": [ { "image": "./imagesTr/im0.nii.gz", "label": "./labelsTr/lb0.nii.gz" } ] }
            """);
        var dataset = SegmentationDataset.Open(temp.Path);
        Assert.Equal(DatasetLayout.Atlas, dataset.Layout);
        Assert.Equal(train, dataset.Root);
        Assert.Equal(["background", "liver", "tumor"], dataset.Labels.Names);
        Assert.Equal(["im0", "im1", "im2", "im3", "im4"], dataset.Cases.Select(c => c.Id));
        Assert.False(dataset.LayoutHasTestSet);
        Assert.Single(dataset.TestCases); // round(5 * 0.2)
        var sample = dataset.Load(dataset.Items(dataset.TrainCases.Take(1))[2]);
        Assert.Equal(4, sample.Mask!.Count(v => v == 2));
    }

    [Fact]
    public void Atlas_numbering_sorts_numerically_and_a_missing_label_is_named()
    {
        using var temp = new TempFolder();
        foreach (int n in (int[])[0, 2, 10])
        {
            TestFiles.Volume(temp.File($"a/imagesTr/im{n}.nii.gz"), new float[8], 2, 2, 2);
            TestFiles.Labels(temp.File($"a/labelsTr/lb{n}.nii.gz"), new byte[8], 2, 2, 2);
        }
        Assert.Equal(["im0", "im2", "im10"], SegmentationDataset.Open(temp.File("a")).Cases.Select(c => c.Id));
        File.Delete(temp.File("a/labelsTr/lb2.nii.gz"));
        var error = Assert.Throws<SoSegException>(() => SegmentationDataset.Open(temp.File("a")));
        Assert.Contains("im2.nii.gz has no mask", error.Message);
        Assert.Contains("lb2.nii.gz", error.Message);
    }

    [Fact]
    public void Coronally_stored_volume_is_sliced_along_its_superior_axis_and_written_back()
    {
        // Like the ITK k-means volume: array axis 1 runs along world z.
        using var temp = new TempFolder();
        const int nx = 6, ny = 5, nz = 4;
        double[,] coronal = { { -2, 0, 0, 0 }, { 0, 0, 3, -254 }, { 0, 2, 0, 0 }, { 0, 0, 0, 1 } };
        var labels = new byte[nx * ny * nz];
        labels[1 + nx * (3 + ny * 2)] = 1; // x=1, y=3, z=2
        TestFiles.Volume(temp.File("c/imagesTr/im0.nii.gz"), TestFiles.Ramp(nx, ny, nz), nx, ny, nz, coronal);
        TestFiles.Labels(temp.File("c/labelsTr/lb0.nii.gz"), labels, nx, ny, nz, coronal);
        var dataset = SegmentationDataset.Open(temp.File("c"), new DatasetOptions { TestFraction = 0 });
        var geometry = dataset.GetGeometry(dataset.Cases[0]);
        Assert.Equal(1, geometry.SliceAxis);
        Assert.Equal((nz, nx), (geometry.SliceHeight, geometry.SliceWidth));
        var items = dataset.Items(DatasetSubset.Train, dropEmptySlices: true);
        Assert.Equal("im0_z003", Assert.Single(items).Id);
        var sample = dataset.Load(items[0]);
        Assert.Equal((nz, nx), (sample.Height, sample.Width));
        Assert.Equal(1, sample.Mask![2 * nx + 1]); // row = z, column = x
        var assembler = dataset.CreateAssembler(dataset.Cases[0]);
        assembler.AddSlice(3, sample.Mask);
        Assert.False(assembler.IsComplete);
        assembler.Write(temp.File("out.nii"));
        Assert.Equal(labels, NiftiReader.Read(temp.File("out.nii")).Voxels<byte>().ToArray());
    }

    static void MakePolypGen(string root, int perCentre)
    {
        foreach (string centre in (string[])["C1", "C2", "C3"])
            for (int i = 0; i < perCentre; i++)
            {
                string stem = $"{centre}_{100 + i}OLCV1_100H{i:D4}";
                TestFiles.Rgb(Path.Combine(root, $"data_{centre}", $"images_{centre}", stem + ".jpg"), 24, 32);
                var mask = TestFiles.Rectangle(24, 32, 4, 10, 5, 12, 255);
                Directory.CreateDirectory(Path.Combine(root, $"data_{centre}", $"masks_{centre}"));
                ImageWriter.WriteGrey(Path.Combine(root, $"data_{centre}", $"masks_{centre}", stem + "_mask.jpg"), mask, 24, 32);
            }
    }

    [Fact]
    public void PolypGen_keeps_centres_binarises_jpeg_masks_and_holds_out_a_fifth_per_centre()
    {
        using var temp = new TempFolder();
        MakePolypGen(temp.File($"{PolypGenLayout.ReleaseFolder}/x")[..^2], 5);
        var dataset = SegmentationDataset.Open(temp.Path);
        Assert.Equal(DatasetLayout.PolypGen, dataset.Layout);
        Assert.Equal(15, dataset.Cases.Count);
        Assert.Equal(3, dataset.TestCases.Count);
        Assert.All(new[] { "C1", "C2", "C3" }, centre => Assert.Single(dataset.TestCases, c => c.Group == centre));
        Assert.Equal(3, dataset.Channels);
        var item = dataset.Items(DatasetSubset.Train)[0];
        var sample = dataset.Load(item);
        Assert.Equal(item.Case.Group, sample.Origin.Group);
        Assert.StartsWith(item.Case.Group + "_", sample.Id);
        Assert.Equal(42, sample.Mask!.Count(v => v == 1));
        Assert.All(sample.Mask!, v => Assert.True(v is 0 or 1));
        Assert.Equal(3 * 24 * 32, sample.Image.Length);
    }

    [Fact]
    public void PolypGen_hold_out_is_the_same_for_the_same_seed_and_differs_for_another()
    {
        using var temp = new TempFolder();
        MakePolypGen(temp.Path, 10);
        var first = SegmentationDataset.Open(temp.Path).TestCases.Select(c => c.Id).ToArray();
        var again = SegmentationDataset.Open(temp.Path).TestCases.Select(c => c.Id).ToArray();
        var other = SegmentationDataset.Open(temp.Path, new DatasetOptions { SplitSeed = 7 }).TestCases.Select(c => c.Id).ToArray();
        Assert.Equal(first, again);
        Assert.Equal(6, first.Length);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Kvasir_style_images_and_masks_pair_by_name()
    {
        using var temp = new TempFolder();
        foreach (string id in (string[])["cju0qkwl35piu0993l0dewei2", "cju0qoxqj9q6s0835b43399p4", "cju0roawvklrq0799vmjorwfv"])
        {
            TestFiles.Rgb(temp.File($"Kvasir-SEG/images/{id}.jpg"), 20, 30);
            ImageWriter.WriteGrey(temp.File($"Kvasir-SEG/masks/{id}.jpg"), TestFiles.Rectangle(20, 30, 5, 15, 5, 10, 255), 20, 30);
        }
        var dataset = SegmentationDataset.Open(temp.File("Kvasir-SEG"), new DatasetOptions { TestFraction = 0.34 });
        Assert.Equal(DatasetLayout.ImagesMasks, dataset.Layout);
        Assert.Single(dataset.TestCases);
        Assert.Equal(3, dataset.Channels);
        var sample = dataset.Load(dataset.Items(DatasetSubset.Train)[0]);
        Assert.Equal(50, sample.Mask!.Count(v => v == 1));
    }

    [Fact]
    public void Train_and_test_subfolders_give_the_split_and_real_itk_files_pair_up()
    {
        using var temp = new TempFolder();
        var data = DebianTestData.Instance;
        File.Copy(data.Itk("BrainProtonDensitySlice.png"), temp.File("set/train/images/brain.png"));
        File.Copy(data.Itk("VentricleModel.png"), temp.File("set/train/masks/brain.png"));
        TestFiles.Grey(temp.File("set/test/images/t.png"), 4, 4);
        ImageWriter.WriteMask(temp.File("set/test/masks/t_mask.png"), new byte[16], 4, 4);
        var dataset = SegmentationDataset.Open(temp.File("set"));
        Assert.True(dataset.LayoutHasTestSet);
        Assert.Equal(1, dataset.Channels);
        var sample = dataset.Load(dataset.Items(DatasetSubset.Train)[0]);
        Assert.Equal((217, 181), (sample.Height, sample.Width));
        // VentricleModel: 663 palette indices >= 128 (254 and 255) form the ventricles.
        Assert.Equal(663, sample.Mask!.Count(v => v == 1));
        Assert.Equal(4 * 4, dataset.Load(dataset.Items(DatasetSubset.Test)[0]).Mask!.Length);
    }

    [Fact]
    public void Layout_can_be_given_instead_of_detected()
    {
        using var temp = new TempFolder();
        MakePolypGen(temp.Path, 2);
        Assert.Equal(DatasetLayout.PolypGen, SegmentationDataset.Open(temp.Path, new DatasetOptions { Layout = DatasetLayout.PolypGen }).Layout);
        var error = Assert.Throws<SoSegException>(() => SegmentationDataset.Open(temp.Path, new DatasetOptions { Layout = DatasetLayout.Atlas }));
        Assert.Contains("no ATLAS images", error.Message);
    }
}
