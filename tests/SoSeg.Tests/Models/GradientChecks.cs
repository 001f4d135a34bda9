using SoSeg.Models;
using static TorchSharp.torch;

namespace SoSeg.Tests.Models;

/// <summary>Checks that a backward pass reached every parameter.</summary>
internal static class GradientChecks
{
    /// <summary>
    /// Every parameter has a gradient, and it is non-zero, except the bias of a convolution that feeds a
    /// BatchNorm in training mode (ConvBnAct's <c>conv.bias</c> next to <c>bn.weight</c>): BN removes the
    /// per-channel mean, so that gradient is zero up to rounding (the references keep such biases).
    /// </summary>
    public static void AssertEveryParameterLearns(SegmentationModel model)
    {
        var names = model.named_parameters().Select(p => p.name).ToHashSet();
        foreach (var (name, parameter) in model.named_parameters())
        {
            Assert.True(parameter.grad is not null, $"{name} has no gradient");
            bool biasBeforeBatchNorm = name.EndsWith("conv.bias", StringComparison.Ordinal) &&
                                       names.Contains(name[..^"conv.bias".Length] + "bn.weight");
            if (biasBeforeBatchNorm) continue;
            using var magnitude = parameter.grad!.abs().sum();
            Assert.True(magnitude.item<float>() > 0, $"{name} has a zero gradient");
        }
    }
}
