using System.Text.Json;
using SoSeg.Data.Statistics;
using SoSeg.Augmentation;
using SoSeg.Planning;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using SoSeg.App.Training;

namespace SoSeg.Tests.Cli;

/// <summary>`soseg plan` end to end, and `train --plan` taking the plan with explicit options winning.</summary>
public class PlanCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.RunSoseg(args);

    [Fact]
    public void Plan_writes_every_setting_with_its_reason_and_train_uses_it_unless_an_option_is_given()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 6, test: 1);
        string planFile = Path.Combine(folder.Path, "plan.json");

        var plan = Run("plan", data, "--out", planFile, "--no-progress");
        Assert.True(plan.Code == 0, plan.Err);
        Assert.Contains("crop 32:", plan.Out);
        using (var json = JsonDocument.Parse(File.ReadAllText(planFile)))
        {
            var root = json.RootElement;
            foreach (var setting in new[] { "crop", "batch", "scaleMode", "normalisation", "oversampleForeground", "loss", "epochs", "selectBy" })
                Assert.False(string.IsNullOrWhiteSpace(root.GetProperty(setting).GetProperty("reason").GetString()), setting);
            var fingerprint = root.GetProperty("fingerprint");
            Assert.Equal(40, fingerprint.GetProperty("medianHeight").GetInt32());  // TinySpotDataset's 40 x 40 images
            Assert.Equal(1, fingerprint.GetProperty("channels").GetArrayLength());
            // One spot per image, in the 6 training images only: a plan must not look at the test image.
            Assert.Equal(6, fingerprint.GetProperty("objects").GetProperty("objects").GetInt64());
            Assert.Equal(0, fingerprint.GetProperty("emptyImageShare").GetDouble());
        }
        var again = Run("plan", data, "--out", planFile, "--no-progress");
        Assert.NotEqual(0, again.Code);
        Assert.Contains("already exists", again.Err);

        string run = Path.Combine(folder.Path, "run");
        var train = Run("train", "--data", data, "--plan", planFile, "--out", run, "--model", "unet", "--model-option", "base-width=4",
                        "--epochs", "1", "--batch", "2", "--steps-per-epoch", "1", "--no-progress", "--device", "cpu");
        Assert.True(train.Code == 0, train.Err);
        var planned = RecipePlan.Read(planFile);
        var used = TrainConfig.Read(Path.Combine(run, "config.json")).Training;
        Assert.Equal(1, used.Epochs);     // given explicitly
        Assert.Equal(2, used.BatchSize);  // given explicitly
        Assert.Equal(planned.Crop.Value, used.Augmentation.CropSize);
        Assert.Equal(planned.Loss.Value, used.Loss);
        Assert.Equal(planned.SelectBy.Value, used.SelectBy);
        Assert.Equal(planned.OversampleForeground.Value, used.Augmentation.OversampleForeground);
        Assert.Equal(planned.ScaleMode.Value, used.Augmentation.ScaleMode);

        File.WriteAllText(planFile, "{ \"crop\": 3 }");
        var broken = Run("train", "--data", data, "--plan", planFile, "--out", Path.Combine(folder.Path, "run2"), "--no-progress", "--device", "cpu");
        Assert.NotEqual(0, broken.Code);
        Assert.StartsWith("error: " + planFile + ": ", broken.Err.Trim());
        Assert.Single(broken.Err.Trim().Split('\n'));
    }

    static DatasetFingerprint Fingerprint(long objects, long ultraSmall, double emptyShare, int size, long? small = null) => new()
    {
        Dataset = "d", Volumetric = false, TrainImages = 100, SampledImages = 64, MedianHeight = size, MedianWidth = size,
        MinShortSide = size, MaxLongSide = size, Channels = [new ChannelIntensity(0, 0.4, 0.2)],
        Objects = new ClassObjectStatistics(0, "all", objects, ultraSmall, small ?? ultraSmall, 0.001, 0.2, 80),
        ObjectsPerClass = [], EmptyImageShare = emptyShare,
    };

    [Fact]
    public void Compare_takes_the_plan_for_every_cell_unless_an_option_is_given()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 6, test: 1);
        string planFile = Path.Combine(folder.Path, "plan.json");
        Assert.Equal(0, Run("plan", data, "--out", planFile, "--no-progress").Code);
        var planned = RecipePlan.Read(planFile);

        string report = Path.Combine(folder.Path, "report");
        var compare = Run("compare", "--data", data, "--plan", planFile, "--models", "unet,unetpp", "--model-option", "unet:base-width=4",
                          "--model-option", "unetpp:base-width=4", "--epochs", "1", "--steps-per-epoch", "1", "--batch", "2", "--window", "64",
                          "--out", report, "--no-progress", "--device", "cpu");
        Assert.True(compare.Code == 0, compare.Err + compare.Out);
        foreach (var model in new[] { "unet", "unetpp" })
        {
            var used = TrainConfig.Read(Path.Combine(report, "runs", model, "seed0", "config.json")).Training;
            Assert.Equal((1, 2), (used.Epochs, used.BatchSize));  // given explicitly
            Assert.Equal(planned.Crop.Value, used.Augmentation.CropSize);
            Assert.Equal(planned.Loss.Value, used.Loss);
            Assert.Equal(planned.SelectBy.Value, used.SelectBy);
            Assert.Equal(planned.OversampleForeground.Value, used.Augmentation.OversampleForeground);
            Assert.Equal(planned.ScaleMode.Value, used.Augmentation.ScaleMode);
        }
        Assert.Contains($"best checkpoint by validation {planned.SelectBy.Value}", File.ReadAllText(Path.Combine(report, "comparison.md")));
    }

    [Fact]
    public void The_fingerprint_of_volumes_holds_their_median_voxel_spacing_and_images_have_none()
    {
        using var folder = new TempFolder();
        string liver = Path.Combine(folder.Path, "liver");
        SoSeg.Data.Synthetic.SyntheticGenerators.Get("liver").Generate(liver, 3, seed: 4);
        string planFile = Path.Combine(folder.Path, "plan.json");
        var plan = Run("plan", liver, "--out", planFile, "--no-progress");
        Assert.True(plan.Code == 0, plan.Err + plan.Out);
        // The generator draws each volume's field of view, so spacings differ; the median of three is the middle one.
        var spacings = Directory.GetFiles(Path.Combine(liver, "imagesTr"), "*.nii.gz")
            .Select(path => SoSeg.Data.Datasets.VolumeGeometry.Read(path).Spacing).ToList();
        double Middle(Func<(double Column, double Row, double Slice), double> axis) => spacings.Select(axis).Order().ElementAt(spacings.Count / 2);
        var written = RecipePlan.Read(planFile).Fingerprint.MedianSpacing!;
        Assert.Equal(Middle(s => s.Column), written.Column, 9);
        Assert.Equal(Middle(s => s.Row), written.Row, 9);
        Assert.Equal(Middle(s => s.Slice), written.Slice, 9);
        Assert.Contains("median voxel spacing", plan.Out);

        string images = TinySpotDataset.Write(Path.Combine(folder.Path, "spots"), train: 4, test: 1);
        Assert.Null(RecipePlanner.Plan(DatasetFingerprint.Compute(SoSeg.Data.Datasets.SegmentationDataset.Open(images))).Fingerprint.MedianSpacing);
    }

    [Fact]
    public void A_class_of_ultra_small_objects_next_to_a_large_class_gets_the_small_object_recipe()
    {
        // Liver MRI: 300 liver objects (few ultra-small) and 40 tumours, all ultra-small: 17% pooled, 100% for the tumours.
        var liver = Fingerprint(objects: 340, ultraSmall: 57, emptyShare: 0, size: 160) with
        {
            ObjectsPerClass =
            [
                new ClassObjectStatistics(1, "liver", 300, 17, 150, 0.001, 0.2, 280),
                new ClassObjectStatistics(2, "tumour", 40, 40, 40, 0.0005, 0.008, 38),
            ],
        };
        var plan = RecipePlanner.Plan(liver);
        Assert.Equal("dice-ce", plan.Loss.Value);
        Assert.Equal(1.0 / 3, plan.OversampleForeground.Value);
        Assert.Contains("100 % of the tumour objects are ultra-small", plan.Loss.Reason);
        Assert.Equal(SelectionScore.ForegroundDiceAndRecall, plan.SelectBy.Value);

        // Both classes mostly large (65% of all objects over 10% of their image): the pooled rule and the paper's loss.
        var large = liver with
        {
            ObjectsPerClass = [new ClassObjectStatistics(1, "liver", 300, 17, 100, 0.001, 0.2, 280), new ClassObjectStatistics(2, "tumour", 40, 4, 20, 0.0005, 0.3, 38)],
            Objects = new ClassObjectStatistics(0, "all", 340, 21, 120, 0.0005, 0.3, 290),
        };
        Assert.Equal("ce", RecipePlanner.Plan(large).Loss.Value);
    }

    [Fact]
    public void A_crop_given_with_the_plan_re_derives_the_scale_mode_for_that_crop()
    {
        // 480 px frames of ultra-small objects: the planned 480 crop keeps the authors' scaling, which would shrink the
        // frames to about a 256 crop given by hand (1.9x smaller objects); at that crop the plan scales by the image.
        var plan = RecipePlanner.Plan(Fingerprint(objects: 100, ultraSmall: 100, emptyShare: 0, size: 480));
        Assert.Equal(480, plan.Crop.Value);
        Assert.Equal(ScaleMode.Crop, plan.ScaleMode.Value);
        var paper = new TrainingOptions();
        Assert.Equal(ScaleMode.Crop, plan.Apply(paper, _ => false).Augmentation.ScaleMode);
        TrainingOptions WithCrop(int crop) => paper with { Augmentation = paper.Augmentation with { CropSize = crop } };
        var crop256 = plan.Apply(WithCrop(256), setting => setting == "CropSize").Augmentation;
        Assert.Equal((256, ScaleMode.Image), (crop256.CropSize, crop256.ScaleMode));
        var crop400 = plan.Apply(WithCrop(400), setting => setting == "CropSize").Augmentation;
        Assert.Equal(ScaleMode.Crop, crop400.ScaleMode); // 480 is under 1.5 x 400
        var both = plan.Apply(WithCrop(256) with { Augmentation = ScaleMode.Off.ApplyTo(WithCrop(256).Augmentation) }, setting => setting is "CropSize" or "ScaleMode");
        Assert.Equal(ScaleMode.Off, both.Augmentation.ScaleMode);
    }

    [Fact]
    public void Frames_far_from_the_crop_are_scaled_by_their_own_size_whatever_their_objects()
    {
        // Prediction sees whole frames at their own size. 160 px slices with a 256 crop: the paper's scaling would
        // train at 0.8-2.4 x; 1024 px frames of large objects with the 512 crop: at 0.25-0.75 x.
        var slices = RecipePlanner.Plan(Fingerprint(objects: 100, ultraSmall: 0, emptyShare: 0, size: 160));
        Assert.Equal((160, ScaleMode.Crop), (slices.Crop.Value, slices.ScaleMode.Value));
        var paper = new TrainingOptions();
        var crop256 = slices.Apply(paper with { Augmentation = paper.Augmentation with { CropSize = 256 } }, setting => setting == "CropSize").Augmentation;
        Assert.Equal(ScaleMode.Image, crop256.ScaleMode);
        Assert.Equal(ScaleMode.Image, RecipePlanner.ScaleModeFor(Fingerprint(objects: 100, ultraSmall: 0, emptyShare: 0, size: 160), 256).Value);
        Assert.Contains("0.8-2.4 x the size prediction sees", RecipePlanner.ScaleModeFor(Fingerprint(objects: 100, ultraSmall: 0, emptyShare: 0, size: 160), 256).Reason);

        var large = RecipePlanner.Plan(Fingerprint(objects: 100, ultraSmall: 0, emptyShare: 0, size: 1024));
        Assert.Equal((512, ScaleMode.Image), (large.Crop.Value, large.ScaleMode.Value));
        Assert.Contains("0.25-0.75 x", large.ScaleMode.Reason);
        // Within 2/3-1.5 x of the crop the paper's scaling stays (768 / 512 = 1.5; 176 / 256 is over 2/3).
        Assert.Equal(ScaleMode.Crop, RecipePlanner.ScaleModeFor(Fingerprint(objects: 100, ultraSmall: 0, emptyShare: 0, size: 768), 512).Value);
        Assert.Equal(ScaleMode.Crop, RecipePlanner.ScaleModeFor(Fingerprint(objects: 100, ultraSmall: 0, emptyShare: 0, size: 176), 256).Value);
    }

    [Fact]
    public void Small_objects_get_oversampling_dice_ce_and_recall_selection_large_ones_keep_the_papers_recipe()
    {
        // 80% ultra-small objects in 1024 px frames.
        var small = RecipePlanner.Plan(Fingerprint(objects: 100, ultraSmall: 80, emptyShare: 0.4, size: 1024));
        Assert.Equal(512, small.Crop.Value);
        Assert.Equal(4, small.Batch.Value);
        Assert.Equal(ScaleMode.Image, small.ScaleMode.Value);
        Assert.Equal(1.0 / 3, small.OversampleForeground.Value);
        Assert.Equal("dice-ce", small.Loss.Value);
        Assert.Equal(SelectionScore.ForegroundDiceAndRecall, small.SelectBy.Value);

        // Polyps: few ultra-small (20%) but most under 10% of the frame (88%), 15% of frames empty: the background still
        // holds most pixels, so Dice + cross-entropy and a third of crops on objects; frames near the crop keep the paper's scaling.
        var polyps = RecipePlanner.Plan(Fingerprint(objects: 49, ultraSmall: 10, emptyShare: 0.15, size: 448, small: 43));
        Assert.Equal("dice-ce", polyps.Loss.Value);
        Assert.Contains("88 % of objects cover under 10% of their image", polyps.Loss.Reason);
        Assert.Equal(1.0 / 3, polyps.OversampleForeground.Value);
        Assert.Equal(ScaleMode.Crop, polyps.ScaleMode.Value);
        // Half of them large: the paper's cross-entropy and uniform crops.
        var halfLarge = RecipePlanner.Plan(Fingerprint(objects: 50, ultraSmall: 5, emptyShare: 0.15, size: 448, small: 24));
        Assert.Equal("ce", halfLarge.Loss.Value);
        Assert.Equal(0, halfLarge.OversampleForeground.Value);

        // Large objects in every 256 px image: the paper's loss, scaling and uniform crops at a crop that fits.
        var large = RecipePlanner.Plan(Fingerprint(objects: 100, ultraSmall: 0, emptyShare: 0, size: 256));
        Assert.Equal(256, large.Crop.Value);
        Assert.Equal(16, large.Batch.Value);
        Assert.Equal(ScaleMode.Crop, large.ScaleMode.Value);
        Assert.Equal(0, large.OversampleForeground.Value);
        Assert.Equal("ce", large.Loss.Value);
        Assert.Equal(SelectionScore.ForegroundDice, large.SelectBy.Value);
        Assert.Equal(100, large.Epochs.Value);
    }
}
