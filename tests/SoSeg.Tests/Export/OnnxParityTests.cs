using SoSeg.Data.Images;
using SoSeg.Export;
using SoSeg.Inference;
using SoSeg.Models;
using SoSeg.Tests.Models;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
using SoSeg.Checkpoints;

namespace SoSeg.Tests.Export;

/// <summary>
/// Every registered model, exported and run in ONNX Runtime, computes TorchSharp's eval-mode logits: on
/// random inputs of two sizes that are no multiple of the size divisors (so the graph's own padding and
/// crop run) and on a real photograph. The bound is a fixed 1e-4 on the largest absolute difference, for
/// every model, at logits of order one (the test requires a largest |logit| of at least 0.25; the small
/// models reach 0.5 to 4): batch norms are calibrated on the compared data with two independent images
/// (<see cref="OnnxTestModels.CalibrationBatch"/>) and their gains halved (<see cref="OnnxTestModels"/>).
/// Both engines compute in float32 with different summation orders and ONNX Runtime folds batch norms into
/// the convolutions; measured against TorchSharp in float64 both are off by the same amount (up to 4e-5 on
/// the Res2Net models), so what is left is rounding, not a mapping. Argmax masks are identical except where
/// TorchSharp's two largest logits are within twice the bound (a tie that rounding may break either way).
/// Single blocks with activations of order one are held to 1e-5 in <see cref="OnnxBlockTests"/>.
/// </summary>
public class OnnxParityTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-4;

    [Theory]
    [MemberData(nameof(RegisteredModels.Names), MemberType = typeof(RegisteredModels))]
    public void Exported_model_matches_TorchSharp(string name)
    {
        using var model = OnnxTestModels.Create(name);
        var info = OnnxTestModels.InfoFor(model, name);

        using var scope = NewDisposeScope();
        var photo = RealImage();
        var inputs = new (string Label, Tensor Input)[]
        {
            ("random 2x70x90", randn(2, 3, 70, 90, generator: new TorchSharp.torch.Generator(11))),
            ("random 1x100x84", randn(1, 3, 100, 84, generator: new TorchSharp.torch.Generator(12))),
            ($"photo 1x{photo.shape[2]}x{photo.shape[3]}", photo),
        };
        foreach (var (label, input) in inputs)
        {
            var comparison = CalibrateExportCompare(model, info, input);
            output.WriteLine($"{name}: {label}: {comparison}");
            comparison.AssertClose($"{name} on {label}");
        }
    }

    /// <summary>Options that switch a model to other blocks (bilinear U-Net, fast U-Net++ head, cascade links and full local convs) export too.</summary>
    [Theory]
    [InlineData("unet", "bilinear=true")]
    [InlineData("unetpp", "inference=last")]
    [InlineData("unetpp", "deep-supervision=false", "batch-norm=true")]
    [InlineData("sosegformer-s", "cross-scale=cascade", "local-conv=full", "attention=mhsa,linear,linear,mhsa")]
    public void Model_variants_match_TorchSharp(string name, params string[] options)
    {
        using var model = OnnxTestModels.Create(name, 1, 3, options);
        var info = OnnxTestModels.InfoFor(model, name, options);
        using var scope = NewDisposeScope();
        var comparison = CalibrateExportCompare(model, info, randn(2, 1, 45, 67, generator: new TorchSharp.torch.Generator(3)));
        output.WriteLine($"{name} {string.Join(" ", options)}: {comparison}");
        comparison.AssertClose($"{name} {string.Join(" ", options)}");
    }

    /// <summary>Batch norms set to the statistics of the input, its mirror image and two independent images; exported, compared.</summary>
    static LogitComparison CalibrateExportCompare(SegmentationModel model, CheckpointInfo info, Tensor input)
    {
        OnnxTestModels.Calibrate(model, OnnxTestModels.CalibrationBatch(input, seed: 99));
        using var engine = OnnxTestModels.Export(model, info);
        return Compare(model, engine, input);
    }

    internal static LogitComparison Compare(SegmentationModel model, ISegmentationEngine engine, Tensor input)
    {
        using var noGrad = no_grad();
        var expected = model.call(input);
        var actual = engine.Logits(input);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.isfinite().all().item<bool>(), "TorchSharp's logits are not finite; the comparison would mean nothing.");
        double maxDiff = (expected - actual).abs().max().item<float>();
        double logitScale = expected.abs().max().item<float>();
        var expectedClass = expected.argmax(1);
        var differentClass = expectedClass.ne(actual.argmax(1));
        long disagreements = differentClass.sum().item<long>();
        // A pixel whose two largest TorchSharp logits are within 2 x the bound may flip under rounding alone.
        var top2 = expected.topk(Math.Min(2, (int)expected.shape[1]), dim: 1).values;
        var tie = (top2[.., 0] - top2[.., 1]).le(2 * Tolerance);
        long decidedDisagreements = differentClass.logical_and(tie.logical_not()).sum().item<long>();
        return new LogitComparison(maxDiff, logitScale, disagreements, decidedDisagreements);
    }

    internal sealed record LogitComparison(double MaxDiff, double LogitScale, long Disagreements, long DecidedDisagreements)
    {
        public void AssertClose(string what)
        {
            Assert.True(LogitScale >= 0.25, $"{what}: logits only up to {LogitScale:G3}; a {Tolerance:E0} bound would say little at that scale");
            Assert.True(MaxDiff <= Tolerance, $"{what}: logits differ by {MaxDiff:E3} > {Tolerance:E0} (logits up to {LogitScale:G3})");
            Assert.True(DecidedDisagreements == 0, $"{what}: {DecidedDisagreements} pixel(s) with a clear TorchSharp class get another class from ONNX Runtime");
        }

        public override string ToString() =>
            $"max |torch - onnx| = {MaxDiff:E2}, max |logit| = {LogitScale:F2}, argmax differs at {Disagreements} pixel(s) ({DecidedDisagreements} outside ties)";
    }

    /// <summary>A 97 x 131 crop of a real colour photograph (scikit-image's chelsea.png), scaled as SoSeg reads images.</summary>
    static Tensor RealImage()
    {
        var image = ImageReader.Read(DebianTestData.Instance.Skimage("chelsea.png"));
        var full = tensor(image.Data, [1, image.Channels, image.Height, image.Width]);
        return full[.., .., 100..197, 150..281].contiguous();
    }
}
