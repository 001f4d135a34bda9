using SoSeg.Data;
using SoSeg.Data.Datasets;
using SoSeg.Data.Nifti;
using SoSeg.Data.Statistics;
using SoSeg.Data.Synthetic;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Data.Synthetic;

public class LiverVolumeGeneratorTests
{
    static readonly LiverVolumeGenerator Small = new(64, 64, 16);

    static string[] Files(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Writes_the_atlas_naming_with_a_fifth_as_test_cases()
    {
        using var temp = new TempFolder();
        Small.Generate(temp.Path, 5, seed: 3);
        Assert.Equal(
            ["dataset.json", "imagesTr/im0.nii.gz", "imagesTr/im1.nii.gz", "imagesTr/im2.nii.gz", "imagesTr/im3.nii.gz", "imagesTs/im4.nii.gz",
             "labelsTr/lb0.nii.gz", "labelsTr/lb1.nii.gz", "labelsTr/lb2.nii.gz", "labelsTr/lb3.nii.gz", "labelsTs/lb4.nii.gz"],
            Files(temp.Path));
        var manifest = DatasetManifest.Read(Path.Combine(temp.Path, "dataset.json"));
        Assert.Equal([new("background", 0), new("liver", 1), new("tumour", 2)], manifest.Labels);
        Assert.Equal((4, 1), (manifest.NumTraining, manifest.NumTest));
        Assert.Equal("liver", Small.Kind);
    }

    [Fact]
    public void Same_seed_gives_the_same_bytes_and_another_seed_other_volumes()
    {
        using var temp = new TempFolder();
        Small.Generate(temp.File("a/x")[..^2], 2, seed: 11);
        Small.Generate(temp.File("b/x")[..^2], 2, seed: 11);
        Small.Generate(temp.File("c/x")[..^2], 2, seed: 12);
        foreach (string file in Files(temp.File("a")))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(temp.File("a"), file)), File.ReadAllBytes(Path.Combine(temp.File("b"), file)));
            if (file.EndsWith(".nii.gz"))
                Assert.NotEqual(File.ReadAllBytes(Path.Combine(temp.File("a"), file)), File.ReadAllBytes(Path.Combine(temp.File("c"), file)));
        }
    }

    [Fact]
    public void Volumes_are_mri_like_int16_on_an_axial_scanner_grid()
    {
        var (image, labels) = new LiverVolumeGenerator().Synthesize(seed: 1, index: 0);
        Assert.Equal([160L, 160, 48], image.Shape);
        Assert.Equal(NiftiDataType.Int16, image.DataType);
        Assert.Equal(NiftiDataType.UInt8, labels.DataType);
        Assert.Equal(image.Affine, labels.Affine);
        Assert.Equal(1, image.Header.SFormCode);
        Assert.Equal(1, image.Header.QFormCode);
        Assert.Equal(2, NiftiTransforms.AxialAxis(image.Affine));
        Assert.True(image.Affine[0, 0] < 0 && image.Affine[1, 1] < 0 && image.Affine[2, 2] > 0, "LPS-stored grid in a RAS affine");
        Assert.InRange(image.Spacing[0], 2.0, 2.6);
        Assert.InRange(image.Spacing[2], 4.0, 5.1);

        var values = image.ToFloat();
        var classes = labels.Voxels<byte>().ToArray();
        double Mean(Func<int, bool> where) => Enumerable.Range(0, values.Length).Where(where).Average(i => values[i]);
        double liver = Mean(i => classes[i] == 1);
        double air = Mean(i => i % 160 < 3); // left-most columns: outside the body
        Assert.InRange(liver, 400, 900);
        Assert.InRange(air, 1, 60); // Rician noise floor: air is not zero
        Assert.Contains(classes, c => c == 1);
    }

    [Fact]
    public void Loader_reads_it_back_and_stats_show_ultra_small_tumours()
    {
        using var temp = new TempFolder();
        Small.Generate(temp.Path, 6, seed: 5);
        var dataset = SegmentationDataset.Open(temp.Path);
        Assert.Equal(DatasetLayout.Atlas, dataset.Layout);
        Assert.True(dataset.LayoutHasTestSet);
        Assert.Equal((5, 1), (dataset.TrainCases.Count, dataset.TestCases.Count));
        Assert.Equal(["background", "liver", "tumour"], dataset.Labels.Names);

        var all = dataset.Items(DatasetSubset.Train);
        var labelled = dataset.Items(DatasetSubset.Train, dropEmptySlices: true);
        Assert.Equal(5 * 16, all.Count);
        Assert.InRange(labelled.Count, all.Count / 3, all.Count - 1); // the liver does not reach every slice
        var sample = dataset.Load(labelled[labelled.Count / 2]);
        Assert.Equal((1, 64, 64), (sample.Channels, sample.Height, sample.Width));
        Assert.InRange(sample.Image.Min(), 0f, 0.05f);
        Assert.InRange(sample.Image.Max(), 0.9f, 1f);

        var stats = DatasetStatistics.Compute(dataset, dropEmptySlices: true);
        var tumour = stats.PerClass[1];
        Assert.True(tumour.Objects > 0, "the volumes hold tumours");
        Assert.True(tumour.UltraSmall >= tumour.Objects / 2, $"{tumour.UltraSmall} of {tumour.Objects} tumours are ultra-small");
        Assert.Equal(tumour.Objects, tumour.Small);
        Assert.True(stats.PerClass[0].MaxAreaRatio > 0.05, "the liver is a large organ in its central slices");
    }

    [Fact]
    public void Refuses_a_non_empty_folder_and_a_zero_count()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("keep.txt"), "x");
        Assert.Contains("not empty", Assert.Throws<SoSegException>(() => Small.Generate(temp.Path, 2, 1)).Message);
        Assert.Throws<SoSegException>(() => Small.Generate(temp.File("new/x")[..^2], 0, 1));
    }
}
