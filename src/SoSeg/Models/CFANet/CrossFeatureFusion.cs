using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Models.CFANet;

/// <summary>
/// CFANet's cross-level feature fusion (CFF): each input reduced by 1x1 conv-BN to C/2; on their
/// concatenation a 3x3 and a 5x5 conv-BN-ReLU (C/2 each), then a second 3x3/5x5 pair on the concatenation
/// of the first pair's outputs (in crossed order); out = 3x3 conv-BN-ReLU(a' + b' + y3 * y5) with C channels.
/// Convs inside the pairs and the output conv have a bias, as the official <c>nn.Conv2d</c> defaults.
/// </summary>
public sealed class CrossFeatureFusion : nn.Module<Tensor, Tensor, Tensor>, IOnnxExportable2
{
    readonly ConvBnAct reduceA;
    readonly ConvBnAct reduceB;
    readonly ConvBnAct conv3First;
    readonly ConvBnAct conv3Second;
    readonly ConvBnAct conv5First;
    readonly ConvBnAct conv5Second;
    readonly ConvBnAct output;

    public CrossFeatureFusion(long inChannelsA, long inChannelsB, long outChannels) : base(nameof(CrossFeatureFusion))
    {
        long half = outChannels / 2;
        reduceA = new ConvBnAct(inChannelsA, half, 1, activation: Activation.None);
        reduceB = new ConvBnAct(inChannelsB, half, 1, activation: Activation.None);
        conv3First = new ConvBnAct(2 * half, half, 3, bias: true);
        conv3Second = new ConvBnAct(2 * half, half, 3, bias: true);
        conv5First = new ConvBnAct(2 * half, half, 5, bias: true);
        conv5Second = new ConvBnAct(2 * half, half, 5, bias: true);
        output = new ConvBnAct(half, outChannels, 3, bias: true);
        RegisterComponents();
    }

    public override Tensor forward(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        var ra = reduceA.call(a);
        var rb = reduceB.call(b);
        var y3 = conv3First.call(torch.cat([ra, rb], 1));
        var y5 = conv5First.call(torch.cat([rb, ra], 1));
        var z3 = conv3Second.call(torch.cat([y3, y5], 1));
        var z5 = conv5Second.call(torch.cat([y5, y3], 1));
        return output.call(ra + rb + z3 * z5).MoveToOuterDisposeScope();
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue a, OnnxValue b)
    {
        var ra = reduceA.Export(g, a);
        var rb = reduceB.Export(g, b);
        var y3 = conv3First.Export(g, g.Concat(1, ra, rb));
        var y5 = conv5First.Export(g, g.Concat(1, rb, ra));
        var z3 = conv3Second.Export(g, g.Concat(1, y3, y5));
        var z5 = conv5Second.Export(g, g.Concat(1, y5, y3));
        return output.Export(g, ra + rb + z3 * z5);
    }
}
