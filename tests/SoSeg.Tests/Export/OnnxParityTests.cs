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
/// crop run) and on a real photograph. The bound is 1e-4 on the largest absolute difference, with batch
/// norms set to the data's statistics so logits are of order one. Both engines compute in float32 with
/// different summation orders; an untrained deep network amplifies such rounding differences (the test
/// models' batch-norm gains are halved to tame this, see <see cref="OnnxTestModels"/>), so where TorchSharp
/// itself moves by more than 1e-5 when its input moves by 1e-7 the bound is ten times the change one random 1e-7 perturbation of the input causes, and argmax
/// masks must agree wherever the two top logits differ by more than the bound. Single blocks with
/// activations of order one are held to 1e-5 in <see cref="OnnxBlockTests"/>.
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

    /// <summary>Batch norms set to the statistics of the input and its mirror image, exported, compared.</summary>
    static LogitComparison CalibrateExportCompare(SegmentationModel model, CheckpointInfo info, Tensor input)
    {
        OnnxTestModels.Calibrate(model, torch.cat([input, input.flip(3)], 0));
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
        var perturbed = model.call(input + 1e-7 * randn_like(input));
        double sensitivity = (expected - perturbed).abs().max().item<float>();
        double maxDiff = (expected - actual).abs().max().item<float>();
        double bound = Math.Max(Tolerance, 10 * sensitivity);
        var expectedClass = expected.argmax(1);
        double agreement = expectedClass.eq(actual.argmax(1)).to(ScalarType.Float64).mean().item<double>();
        // Pixels whose two largest TorchSharp logits are further apart than the bound must get the same class.
        var top2 = expected.topk(Math.Min(2, (int)expected.shape[1]), dim: 1).values;
        var decided = (top2[.., 0] - top2[.., 1]).gt(bound);
        long decidedDisagreements = decided.logical_and(expectedClass.ne(actual.argmax(1))).sum().item<long>();
        return new LogitComparison(maxDiff, sensitivity, bound, agreement, decidedDisagreements);
    }

    internal sealed record LogitComparison(double MaxDiff, double Sensitivity, double Bound, double Agreement, long DecidedDisagreements)
    {
        public void AssertClose(string what)
        {
            Assert.True(MaxDiff <= Bound, $"{what}: logits differ by {MaxDiff:E3} > {Bound:E2}");
            Assert.True(DecidedDisagreements == 0, $"{what}: {DecidedDisagreements} pixel(s) with a clear TorchSharp class get another class from ONNX Runtime");
        }

        public override string ToString() =>
            $"max |torch - onnx| = {MaxDiff:E2} (torch's own change for a 1e-7 input change {Sensitivity:E1}; bound {Bound:E1}), argmax agreement {Agreement:P4}";
    }

    /// <summary>A 97 x 131 crop of a real colour photograph (scikit-image's chelsea.png), scaled as SoSeg reads images.</summary>
    static Tensor RealImage()
    {
        var image = ImageReader.Read(DebianTestData.Instance.Skimage("chelsea.png"));
        var full = tensor(image.Data, [1, image.Channels, image.Height, image.Width]);
        return full[.., .., 100..197, 150..281].contiguous();
    }
}
