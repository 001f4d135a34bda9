using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.PraNet;

/// <summary>
/// PraNet's modified receptive field block (after RFB, Liu et al., ECCV 2018): four branches on the input,
/// 1x1; 1x1 -> 1x3 -> 3x1 -> 3x3 dilation 3; the same with 5 / dilation 5; with 7 / dilation 7; concat ->
/// 3x3, plus a 1x1 projection of the input, then ReLU. Every unit is conv + BN without activation
/// (the official BasicConv2d builds a ReLU but never applies it).
/// </summary>
public sealed class ReceptiveFieldBlock : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly ConvBnAct branch0;
    readonly Sequential branch1;
    readonly Sequential branch2;
    readonly Sequential branch3;
    readonly ConvBnAct fuse;
    readonly ConvBnAct residual;

    public ReceptiveFieldBlock(long inChannels, long outChannels) : base(nameof(ReceptiveFieldBlock))
    {
        branch0 = Unit(inChannels, outChannels, 1);
        branch1 = Branch(inChannels, outChannels, 3);
        branch2 = Branch(inChannels, outChannels, 5);
        branch3 = Branch(inChannels, outChannels, 7);
        fuse = new ConvBnAct(4 * outChannels, outChannels, 3, activation: Activation.None);
        residual = Unit(inChannels, outChannels, 1);
        RegisterComponents();
    }

    static ConvBnAct Unit(long inChannels, long outChannels, long kernel, long dilation = 1) =>
        new(inChannels, outChannels, kernel, dilation: dilation, activation: Activation.None);

    // 1x1 reduce, 1xk and kx1 for an elongated field, then a 3x3 with dilation k.
    static Sequential Branch(long inChannels, long outChannels, long k) => nn.Sequential(
        Unit(inChannels, outChannels, 1),
        new ConvBnAct(outChannels, outChannels, (1, k), (0, (k - 1) / 2), activation: Activation.None),
        new ConvBnAct(outChannels, outChannels, (k, 1), ((k - 1) / 2, 0), activation: Activation.None),
        Unit(outChannels, outChannels, 3, dilation: k));

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var branches = torch.cat([branch0.call(x), branch1.call(x), branch2.call(x), branch3.call(x)], 1);
        return nn.functional.relu(fuse.call(branches) + residual.call(x)).MoveToOuterDisposeScope();
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x)
    {
        var branches = g.Concat(1, branch0.Export(g, x), branch1.Export(g, x), branch2.Export(g, x), branch3.Export(g, x));
        return g.Relu(fuse.Export(g, branches) + residual.Export(g, x));
    }
}
