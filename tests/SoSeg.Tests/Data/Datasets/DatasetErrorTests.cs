using SoSeg.Data.Datasets;
using SoSeg.Data.Images;
using SoSeg.Data.Nifti;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Data.Datasets;

/// <summary>Bad input: each case fails with a SoSegException naming the file and the problem.</summary>
public class DatasetErrorTests
{
    const string GreyManifest = """
        { "channel_names": { "0": "grey" }, "labels": { "background": 0, "cell": 1 }, "file_ending": ".png" }
        """;

    static string GreyDataset(TempFolder temp, int cases = 2)
    {
        TestFiles.Json(temp.File("ds/dataset.json"), GreyManifest);
        for (int i = 0; i < cases; i++)
        {
            TestFiles.Grey(temp.File($"ds/imagesTr/c{i}_0000.png"), 8, 10);
            ImageWriter.WriteMask(temp.File($"ds/labelsTr/c{i}.png"), TestFiles.Rectangle(8, 10, 1, 3, 1, 3, 1), 8, 10);
        }
        return temp.File("ds");
    }

    static SoSegException LoadFails(string root, string fileNamed)
    {
        var dataset = SegmentationDataset.Open(root);
        var error = Assert.Throws<SoSegException>(() =>
        {
            foreach (var item in dataset.Items(DatasetSubset.Train)) dataset.Load(item);
        });
        Assert.Contains(fileNamed, error.Message);
        return error;
    }

    static SoSegException OpenFails(string root, string fileNamed)
    {
        var error = Assert.Throws<SoSegException>(() => SegmentationDataset.Open(root));
        Assert.Contains(fileNamed, error.Message);
        return error;
    }

    [Fact]
    public void Corrupt_image_is_named()
    {
        using var temp = new TempFolder();
        string root = GreyDataset(temp);
        File.WriteAllBytes(temp.File("ds/imagesTr/c1_0000.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        LoadFails(root, "c1_0000.png");
    }

    [Fact]
    public void Truncated_image_is_named()
    {
        using var temp = new TempFolder();
        string root = GreyDataset(temp);
        TestFiles.Grey(temp.File("ds/imagesTr/c1_0000.png"), 200, 200);
        var bytes = File.ReadAllBytes(temp.File("ds/imagesTr/c1_0000.png"));
        ImageWriter.WriteMask(temp.File("ds/labelsTr/c1.png"), new byte[200 * 200], 200, 200);
        File.WriteAllBytes(temp.File("ds/imagesTr/c1_0000.png"), bytes[..(bytes.Length * 2 / 3)]);
        Assert.Contains("truncated", LoadFails(root, "c1_0000.png").Message);
    }

    [Fact]
    public void Truncated_nifti_volume_is_named()
    {
        using var temp = new TempFolder();
        TestFiles.Volume(temp.File("v/imagesTr/im0.nii.gz"), TestFiles.Ramp(8, 8, 4), 8, 8, 4);
        TestFiles.Labels(temp.File("v/labelsTr/lb0.nii.gz"), new byte[256], 8, 8, 4);
        var bytes = File.ReadAllBytes(temp.File("v/imagesTr/im0.nii.gz"));
        File.WriteAllBytes(temp.File("v/imagesTr/im0.nii.gz"), bytes[..(bytes.Length / 2)]);
        var dataset = SegmentationDataset.Open(temp.File("v"), new DatasetOptions { TestFraction = 0 });
        var error = Assert.Throws<SoSegException>(() => dataset.Load(dataset.Items(DatasetSubset.Train)[0]));
        Assert.Contains("im0.nii.gz", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Mask_of_another_size_than_its_image()
    {
        using var temp = new TempFolder();
        string root = GreyDataset(temp);
        ImageWriter.WriteMask(temp.File("ds/labelsTr/c0.png"), new byte[9 * 10], 9, 10);
        var error = LoadFails(root, "c0.png");
        Assert.Contains("mask is 10 x 9 pixels but its image", error.Message);
        Assert.Contains("is 10 x 8", error.Message);
    }

    [Fact]
    public void Label_volume_of_another_size_than_its_volume()
    {
        using var temp = new TempFolder();
        TestFiles.Volume(temp.File("v/imagesTr/im0.nii.gz"), new float[64], 4, 4, 4);
        TestFiles.Labels(temp.File("v/labelsTr/lb0.nii.gz"), new byte[48], 4, 4, 3);
        var dataset = SegmentationDataset.Open(temp.File("v"), new DatasetOptions { TestFraction = 0 });
        var error = Assert.Throws<SoSegException>(() => dataset.Load(dataset.Items(DatasetSubset.Train)[0]));
        Assert.Contains("lb0.nii.gz: label volume is 4 x 4 x 3 voxels but its image", error.Message);
    }

    [Fact]
    public void Label_values_missing_from_dataset_json()
    {
        using var temp = new TempFolder();
        string root = GreyDataset(temp);
        var mask = TestFiles.Rectangle(8, 10, 0, 2, 0, 3, 1);
        TestFiles.Rectangle(8, 10, 5, 6, 0, 2, 7, mask);
        ImageWriter.WriteMask(temp.File("ds/labelsTr/c1.png"), mask, 8, 10);
        var error = LoadFails(root, "c1.png");
        Assert.Contains("label value(s) 7 (2 pixels) are not in dataset.json's labels (0 background, 1 cell", error.Message);
    }

    [Fact]
    public void Binary_0_255_mask_in_the_soseg_layout_is_explained()
    {
        using var temp = new TempFolder();
        string root = GreyDataset(temp);
        ImageWriter.WriteMask(temp.File("ds/labelsTr/c1.png"), TestFiles.Rectangle(8, 10, 1, 3, 1, 3, 255), 8, 10);
        Assert.Contains("holds only 0 and 255, and 255 is the ignore value", LoadFails(root, "c1.png").Message);
    }

    [Fact]
    public void Non_integer_label_volume_values()
    {
        using var temp = new TempFolder();
        TestFiles.Volume(temp.File("v/imagesTr/im0.nii.gz"), new float[8], 2, 2, 2);
        var labels = new float[8];
        labels[5] = 1.5f;
        TestFiles.Volume(temp.File("v/labelsTr/lb0.nii.gz"), labels, 2, 2, 2, type: NiftiDataType.Float32);
        var dataset = SegmentationDataset.Open(temp.File("v"), new DatasetOptions { TestFraction = 0 });
        var error = Assert.Throws<SoSegException>(() => dataset.Load(dataset.Items(DatasetSubset.Train)[0]));
        Assert.Contains("lb0.nii.gz: label value 1.5 at x=1, y=0, z=1", error.Message);
    }

    [Fact]
    public void NaN_and_infinite_intensities()
    {
        using var temp = new TempFolder();
        var values = TestFiles.Ramp(4, 4, 4);
        values[17] = float.NaN;
        TestFiles.Volume(temp.File("v/imagesTr/im0.nii.gz"), values, 4, 4, 4, type: NiftiDataType.Float32);
        TestFiles.Labels(temp.File("v/labelsTr/lb0.nii.gz"), new byte[64], 4, 4, 4);
        var dataset = SegmentationDataset.Open(temp.File("v"), new DatasetOptions { TestFraction = 0 });
        var error = Assert.Throws<SoSegException>(() => dataset.Load(dataset.Items(DatasetSubset.Train)[0]));
        Assert.Contains("im0.nii.gz: 1 voxel(s) are NaN or infinite", error.Message);
    }

    [Fact]
    public void Empty_dataset()
    {
        using var temp = new TempFolder();
        TestFiles.Json(temp.File("ds/dataset.json"), GreyManifest);
        Directory.CreateDirectory(temp.File("ds/imagesTr/x"));
        var error = OpenFails(temp.File("ds"), "ds");
        Assert.Contains("empty dataset", error.Message);

        var unknown = Assert.Throws<SoSegException>(() => SegmentationDataset.Open(temp.File("ds/imagesTr")));
        Assert.Contains("cannot tell the dataset layout", unknown.Message);
    }

    [Fact]
    public void Wrong_channel_count_against_channel_names()
    {
        using var temp = new TempFolder();
        string root = GreyDataset(temp);
        TestFiles.Rgb(temp.File("ds/imagesTr/c1_0000.png"), 8, 10);
        var error = LoadFails(root, "c1_0000.png");
        Assert.Contains("has 3 channel(s) but dataset.json channel_names lists 1 (grey)", error.Message);
    }

    [Fact]
    public void Missing_channel_file_of_a_volume_case()
    {
        using var temp = new TempFolder();
        TestFiles.Json(temp.File("v/dataset.json"), """
            { "channel_names": { "0": "T1", "1": "T2" }, "labels": { "background": 0, "lesion": 1 }, "file_ending": ".nii.gz" }
            """);
        TestFiles.Volume(temp.File("v/imagesTr/a_0000.nii.gz"), new float[8], 2, 2, 2);
        TestFiles.Labels(temp.File("v/labelsTr/a.nii.gz"), new byte[8], 2, 2, 2);
        var error = OpenFails(temp.File("v"), "a_0001.nii.gz");
        Assert.Contains("is missing", error.Message);
    }

    [Fact]
    public void Missing_mask_for_an_image()
    {
        using var temp = new TempFolder();
        string root = GreyDataset(temp);
        File.Delete(temp.File("ds/labelsTr/c1.png"));
        var error = OpenFails(root, "c1_0000.png");
        Assert.Contains("has no mask: expected", error.Message);
        Assert.Contains("labelsTr/c1.png", error.Message);
    }

    [Fact]
    public void Mask_without_its_image()
    {
        using var temp = new TempFolder();
        string root = GreyDataset(temp);
        ImageWriter.WriteMask(temp.File("ds/labelsTr/orphan.png"), new byte[80], 8, 10);
        Assert.Contains("has no image", OpenFails(root, "orphan.png").Message);
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("""{ "labels": { "background": 0, "cell": 1 } }""", "\"channel_names\" is missing")]
    [InlineData("""{ "channel_names": { "0": "grey" }, "labels": { "background": 0, "cell": "one" } }""", "label \"cell\" must map to one integer")]
    [InlineData("""{ "channel_names": { "0": "grey" }, "labels": { "background": 0, "cell": 1 }, "numTraining": 5 }""", "numTraining is 5 but imagesTr/ holds 2")]
    [InlineData("""{ "channel_names": { "0": "grey" }, "labels": { "background": 0, "cell": 1 }, "file_ending": ".gif" }""", "file_ending \".gif\"")]
    [InlineData("""{ "channel_names": { "0": "grey" }, "labels": { "background": 0, "cell": 1 }, "colour_map": { "background": [0, 0, 0] } }""", "colour_map has no colour for label(s) cell")]
    public void Invalid_dataset_json(string json, string problem)
    {
        using var temp = new TempFolder();
        string root = GreyDataset(temp);
        File.WriteAllText(temp.File("ds/dataset.json"), json);
        var error = OpenFails(root, "dataset.json");
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Badly_named_image_file()
    {
        using var temp = new TempFolder();
        string root = GreyDataset(temp);
        TestFiles.Grey(temp.File("ds/imagesTr/stray.png"), 8, 10);
        Assert.Contains("CASE_0000.png", OpenFails(root, "stray.png").Message);
    }

    [Fact]
    public void Multi_class_jpeg_mask_is_refused()
    {
        using var temp = new TempFolder();
        TestFiles.Json(temp.File("ds/dataset.json"), """
            { "channel_names": { "0": "grey" }, "labels": { "background": 0, "a": 1, "b": 2 }, "file_ending": ".png" }
            """);
        TestFiles.Grey(temp.File("ds/imagesTr/c0_0000.png"), 8, 10);
        ImageWriter.WriteGrey(temp.File("ds/labelsTr/c0.jpg"), new byte[80], 8, 10);
        Assert.Contains("JPEG mask cannot hold 3 classes", LoadFails(temp.File("ds"), "c0.jpg").Message);
    }

    [Fact]
    public void PolypGen_image_without_mask()
    {
        using var temp = new TempFolder();
        TestFiles.Rgb(temp.File("data_C4/images_C4/EndoCV2021_C4_0001.jpg"), 8, 8);
        Directory.CreateDirectory(temp.File("data_C4/masks_C4/x"));
        var error = OpenFails(temp.Path, "EndoCV2021_C4_0001.jpg");
        Assert.Contains("EndoCV2021_C4_0001_mask.jpg", error.Message);
    }
}
