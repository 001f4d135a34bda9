using SoSeg.Onnx;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.CFANet;

/// <summary>
/// CFANet's channel attention on the boundary features: global max-pool -> 1x1 (C -> C/16, no bias) ->
/// ReLU -> 1x1 (C/16 -> C, no bias) -> sigmoid; returns the N x C x 1 x 1 weights (the caller multiplies).
/// </summary>
public sealed class EdgeChannelAttention : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly PrecisionConv2d reduce;
    readonly PrecisionConv2d expand;

    public EdgeChannelAttention(long channels) : base(nameof(EdgeChannelAttention))
    {
        if (channels < 16) throw new ArgumentException($"Edge channel attention needs at least 16 channels, got {channels}.", nameof(channels));
        reduce = PrecisionLayers.Conv2d(channels, channels / 16, 1, bias: false);
        expand = PrecisionLayers.Conv2d(channels / 16, channels, 1, bias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var pooled = nn.functional.adaptive_max_pool2d(x, [1, 1]);
        using var hidden = nn.functional.relu(reduce.call(pooled));
        using var logits = expand.call(hidden);
        return logits.sigmoid();
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x) =>
        g.Sigmoid(expand.Export(g, g.Relu(reduce.Export(g, g.GlobalMaxPool(x)))));
}
