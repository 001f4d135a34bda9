using SoSeg.Models;
using SoSeg.Runtime;
using SoSeg.Tests.TestData;
using TorchSharp.Modules;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models.SoSegFormer;

public class SoSegFormerInitTests
{
    public SoSegFormerInitTests() => TorchRuntime.Initialise();

    /// <summary>Every convolution with at least <paramref name="minWeights"/> weights: (name, measured std, mean, fan_in, fan_out).</summary>
    static List<(string Name, double Std, double Mean, long FanIn, long FanOut)> Convolutions(SegmentationModel model, int minWeights = 2000)
    {
        var found = new List<(string, double, double, long, long)>();
        foreach (var (name, module) in model.named_modules())
        {
            if (WeightOf(module) is not { } w || w.numel() < minWeights) continue;
            long area = w.shape[2] * w.shape[3];
            found.Add((name, w.std().item<float>(), w.mean().item<float>(), w.shape[1] * area, w.shape[0] * area));
        }
        return found;
    }

    /// <summary>A convolution's weight, whichever layer type holds it (SoSeg's mixed-precision layer or TorchSharp's).</summary>
    static Tensor? WeightOf(TorchSharp.torch.nn.Module module) => module switch
    {
        SoSeg.Models.MixedPrecision.PrecisionConv2d conv => conv.weight,
        Conv2d conv => conv.weight,
        _ => null,
    };

    /// <summary>
    /// The 1x1 convolutions of the linear-attention transformers (qkv, projection, FFN: the stages' global paths)
    /// stand for the reference's nn.Linear layers, which keep PyTorch's default.
    /// </summary>
    static bool IsLinearAttentionLayer(string name) => name.Contains(".global.", StringComparison.Ordinal);

    [Fact]
    public void Convolutions_start_kaiming_normal_fan_out_and_the_classifier_keeps_the_default()
    {
        using var model = Seeded.Build(1, () => ModelRegistry.Create("sosegformer-s", 3, 2));
        var convolutions = Convolutions(model);
        Assert.True(convolutions.Count > 50);
        foreach (var (name, std, mean, _, fanOut) in convolutions.Where(c => c.Name != "classifier" && !IsLinearAttentionLayer(c.Name)))
        {
            // N(0, 2 / fan_out): with >= 2,000 draws the sample std is within 10% and the mean within 4 standard errors.
            double expected = Math.Sqrt(2.0 / fanOut);
            Assert.True(Math.Abs(std / expected - 1) < 0.1, $"{name}: std {std:0.0000}, Kaiming fan-out {expected:0.0000}");
            Assert.True(Math.Abs(mean) < 0.1 * expected, $"{name}: mean {mean:0.0000}");
        }
        var classifierWeight = WeightOf(model.named_modules().First(m => m.name == "classifier").module)!;
        using var classifier = classifierWeight.std();
        long classifierFanIn = classifierWeight.shape[1];
        // Framework default: uniform in +-1/sqrt(fan_in), std 1/sqrt(3 fan_in).
        Assert.InRange(classifier.item<float>(), 0.8 / Math.Sqrt(3 * classifierFanIn), 1.2 / Math.Sqrt(3 * classifierFanIn));
    }

    [Fact]
    public void Linear_attention_layers_keep_the_default_as_the_reference_linear_layers_do()
    {
        using var model = Seeded.Build(1, () => ModelRegistry.Create("sosegformer-s", 3, 2));
        // sosegformer-s's second stage (d = 16) has linear-attention layers of 256-528 weights: enough to tell the
        // default (std 1/sqrt(3 fan_in)) from Kaiming fan-out (here 1.7-3.5 times larger) within 15%.
        var attention = Convolutions(model, minWeights: 256).Where(c => IsLinearAttentionLayer(c.Name)).ToList();
        // qkv, projection and both FFN layers of both blocks of stage 2, in its branch and in the decoder.
        Assert.True(attention.Count >= 8, $"found {attention.Count} linear-attention convolutions");
        foreach (var (name, std, _, fanIn, _) in attention)
        {
            double expected = 1 / Math.Sqrt(3 * fanIn);
            Assert.True(Math.Abs(std / expected - 1) < 0.15, $"{name}: std {std:0.0000}, default {expected:0.0000}");
        }
    }

    [Fact]
    public void Init_torch_keeps_the_framework_default()
    {
        using var model = Seeded.Build(1, () => ModelRegistry.Create("sosegformer-s", 3, 2, ModelOptions.Parse(["init=torch"])));
        foreach (var (name, std, _, fanIn, _) in Convolutions(model))
        {
            double expected = 1 / Math.Sqrt(3 * fanIn);
            Assert.True(Math.Abs(std / expected - 1) < 0.1, $"{name}: std {std:0.0000}, default {expected:0.0000}");
        }
        Assert.Throws<ArgumentException>(() => ModelRegistry.Create("sosegformer-s", 3, 2, ModelOptions.Parse(["init=xavier"])));
    }
}
