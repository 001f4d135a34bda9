using SoSeg.Data.Images;
using SoSeg.Data.Nifti;
using SoSeg.Inference;
using SoSeg.Models;
using SoSeg.Runtime;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using SoSeg.Checkpoints;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Inference;

public class InputPredictorTests
{
    static (SegmentationPredictor Predictor, CheckpointInfo Info) Untrained(int channels)
    {
        var model = ModelRegistry.Create("unet", channels, 3, ModelOptions.Parse(["base-width=4"]));
        var info = new CheckpointInfo
        {
            Model = "unet", InChannels = channels, NumClasses = 3, ClassNames = ["background", "liver", "tumour"], LabelValues = [0, 1, 2],
        };
        return (new SegmentationPredictor(model, TorchRuntime.Resolve(DeviceSpec.Cpu), new PredictionOptions { WindowSize = 32 }), info);
    }

    [Fact]
    public void Channel_files_of_one_case_are_grouped_and_other_files_stand_alone()
    {
        using var folder = new TempFolder();
        foreach (var name in new[] { "a_0000.png", "a_0001.png", "b.png", "c.nii.gz", "notes.txt" })
            File.WriteAllText(folder.File(name), "");
        var inputs = InputPredictor.FindInputs(folder.Path);
        Assert.Equal(["a", "b", "c"], inputs.Select(i => i.Name));
        Assert.Equal(2, inputs[0].ChannelPaths.Count);
        Assert.True(inputs[2].IsVolume);
        Assert.Throws<SoSegException>(() => InputPredictor.FindInputs(folder.File("nowhere")));
    }

    [Fact]
    public void A_volume_prediction_is_written_on_the_input_grid_with_its_affine()
    {
        using var folder = new TempFolder();
        var affine = new double[,] { { 0, 0, -1.5, 40 }, { -0.8, 0, 0, 12 }, { 0, 0.8, 0, -7 }, { 0, 0, 0, 1 } };
        var random = new Random(5);
        var voxels = Enumerable.Range(0, 20 * 24 * 6).Select(_ => (float)random.NextDouble() * 300).ToArray();
        string input = folder.File("in/case7.nii.gz");
        NiftiWriter.Write(input, NiftiImage.Create(voxels, [20, 24, 6], NiftiDataType.Float32, affine));

        var (predictor, info) = Untrained(1);
        string output = Path.Combine(folder.Path, "out");
        var written = new InputPredictor(predictor, info).Run(InputPredictor.FindInputs(input), output,
            new PredictionOutputs { Probabilities = true, Overlays = false });
        var mask = NiftiReader.Read(written.Single().MaskPath);
        var source = NiftiReader.Read(input);
        Assert.Equal(source.Shape.Take(3), mask.Shape.Take(3));
        Assert.True(NiftiTransforms.MaxDifference(source.Affine, mask.Affine) < 1e-4);
        Assert.All(mask.ToFloat(), v => Assert.Contains(v, new[] { 0f, 1f, 2f }));
        Assert.Equal(2, written.Single().Extras.Count); // liver and tumour probability volumes
        Assert.Equal(source.Shape.Take(3), NiftiReader.Read(written.Single().Extras[0]).Shape.Take(3));
    }

    [Fact]
    public void An_image_prediction_writes_a_label_png_an_overlay_and_probability_maps()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 1, test: 1);
        string image = Directory.GetFiles(Path.Combine(data, "imagesTs")).Single();
        var (predictor, info) = Untrained(1);
        var written = new InputPredictor(predictor, info).Run(InputPredictor.FindInputs(image), Path.Combine(folder.Path, "out"),
            new PredictionOutputs { Probabilities = true, Overlays = true }).Single();
        var mask = MaskReader.Read(written.MaskPath, MaskEncoding.Values);
        Assert.Equal((40, 40), (mask.Height, mask.Width));
        Assert.Equal(3, written.Extras.Count);
        Assert.Contains(written.Extras, e => e.EndsWith("_overlay.png"));
        Assert.Equal((40, 40, 3), ImageReader.ReadInfo(written.Extras.Single(e => e.EndsWith("_overlay.png"))) is var (w, h, c) ? (w, h, c) : default);
    }
}
