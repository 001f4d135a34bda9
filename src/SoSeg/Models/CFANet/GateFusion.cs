using SoSeg.Onnx;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.CFANet;

/// <summary>
/// CFANet's gate fusion of two same-shape features: two 1x1 convs (with bias) on their concatenation give
/// one gate map each; a softmax over the pair weights the inputs pixel by pixel: out = a * g_a + b * g_b.
/// </summary>
public sealed class GateFusion : nn.Module<Tensor, Tensor, Tensor>, IOnnxExportable2
{
    readonly PrecisionConv2d gateA;
    readonly PrecisionConv2d gateB;

    public GateFusion(long channels) : base(nameof(GateFusion))
    {
        gateA = PrecisionLayers.Conv2d(2 * channels, 1, 1);
        gateB = PrecisionLayers.Conv2d(2 * channels, 1, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        var both = torch.cat([a, b], 1);
        var gates = ComputePrecision.Softmax(torch.cat([gateA.call(both), gateB.call(both)], 1), 1);
        return (a * gates[.., ..1] + b * gates[.., 1..]).MoveToOuterDisposeScope();
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue a, OnnxValue b)
    {
        var both = g.Concat(1, a, b);
        var gates = g.Softmax(g.Concat(1, gateA.Export(g, both), gateB.Export(g, both)), 1);
        return a * g.Slice(gates, 1, 0, 1) + b * g.Slice(gates, 1, 1, 2);
    }
}
