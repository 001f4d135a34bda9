using SoSeg.Onnx;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.Blocks;

/// <summary>
/// Squeeze-and-excitation (Hu et al. 2018): global average pool -> 1x1 (with bias) -> ReLU -> 1x1 ->
/// sigmoid, multiplied onto the input channels.
/// </summary>
public sealed class SqueezeExcitation : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly PrecisionConv2d reduce;
    readonly PrecisionConv2d expand;

    public SqueezeExcitation(long channels, long hiddenChannels) : base(nameof(SqueezeExcitation))
    {
        reduce = PrecisionLayers.Conv2d(channels, hiddenChannels, 1);
        expand = PrecisionLayers.Conv2d(hiddenChannels, channels, 1);
        RegisterComponents();
    }

    /// <summary>Hidden width as in the SoSegFormer authors' code: max(round8(C * ratio), minimum).</summary>
    public static long HiddenWidth(long channels, double ratio = 0.25, long minimum = 32) =>
        Math.Max(MakeDivisible(channels * ratio, 8), minimum);

    /// <summary>Rounds to the nearest multiple of divisor, never below 90% of the value (MobileNet convention).</summary>
    public static long MakeDivisible(double value, long divisor)
    {
        long rounded = Math.Max(divisor, (long)(value + divisor / 2.0) / divisor * divisor);
        if (rounded < 0.9 * value) rounded += divisor;
        return rounded;
    }

    public override Tensor forward(Tensor x)
    {
        using var pooled = GlobalAvgPool.Apply(x);
        using var hidden = nn.functional.relu(reduce.call(pooled));
        using var gate = expand.call(hidden).sigmoid_();
        return x * gate;
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x)
    {
        var hidden = g.Relu(reduce.Export(g, g.GlobalAveragePool(x)));
        return x * g.Sigmoid(expand.Export(g, hidden));
    }
}
