using SoSeg.Data.Nifti;
using SoSeg.Inference;
using SoSeg.Runtime;
using SoSeg.Tests.TestData;
using static TorchSharp.torch;

namespace SoSeg.Tests.Export;

/// <summary>
/// A NIfTI volume predicted through ONNX Runtime (slice by slice, sliding window, flip TTA) gives the
/// TorchSharp engine's mask and probability volumes: both engines run behind the same predictor.
/// </summary>
public class OnnxVolumePredictionTests
{
    [Fact]
    public void A_volume_predicted_with_onnx_runtime_matches_the_torch_engine()
    {
        using var folder = new TempFolder();
        var random = new Random(5);
        var voxels = Enumerable.Range(0, 44 * 36 * 3).Select(_ => (float)random.NextDouble() * 300).ToArray();
        string input = folder.File("in/case1.nii.gz");
        NiftiWriter.Write(input, NiftiImage.Create(voxels, [44, 36, 3], NiftiDataType.Float32, new double[,] { { 0.8, 0, 0, 0 }, { 0, 0.8, 0, 0 }, { 0, 0, 2, 0 }, { 0, 0, 0, 1 } }));

        using var model = OnnxTestModels.Create("unet", 1, 3);
        OnnxTestModels.Calibrate(model, rand(4, 1, 44, 36));
        var info = OnnxTestModels.InfoFor(model, "unet");
        var options = new PredictionOptions { WindowSize = 32, FlipTta = true };
        var outputs = new PredictionOutputs { Probabilities = true };

        var torchWritten = new InputPredictor(new SegmentationPredictor(model, TorchRuntime.Resolve(DeviceSpec.Cpu), options), info)
            .Run(InputPredictor.FindInputs(input), Path.Combine(folder.Path, "torch"), outputs).Single();
        using var engine = OnnxTestModels.Export(model, info);
        var onnxWritten = new InputPredictor(new SegmentationPredictor(engine, options), info)
            .Run(InputPredictor.FindInputs(input), Path.Combine(folder.Path, "onnx"), outputs).Single();

        var torchMask = NiftiReader.Read(torchWritten.MaskPath).ToFloat();
        Assert.Contains(torchMask, v => v != 0);
        Assert.Equal(torchMask, NiftiReader.Read(onnxWritten.MaskPath).ToFloat());
        Assert.Equal(2, onnxWritten.Extras.Count);
        foreach (var (t, o) in torchWritten.Extras.Zip(onnxWritten.Extras))
        {
            var expected = NiftiReader.Read(t).ToFloat();
            var actual = NiftiReader.Read(o).ToFloat();
            Assert.True(expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)) < 1e-5, $"{Path.GetFileName(o)} differs");
        }
    }
}
