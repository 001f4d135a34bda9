using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// The branch bottleneck before each StageFormer (the authors' FGBottleneck): 1x1 C -> eC, BN, ReLU;
/// 3x3 eC -> eC, BN, ReLU; squeeze-excitation on eC; 1x1 eC -> C, BN; added to the input with no final
/// activation.
/// </summary>
public sealed class BottleneckSE : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly ConvBnAct expand;
    readonly ConvBnAct conv;
    readonly SqueezeExcitation se;
    readonly ConvBnAct reduce;

    /// <param name="channels">C, in and out.</param>
    /// <param name="expansion">e: hidden width round8(e x C).</param>
    /// <param name="seRatio">Squeeze-excitation hidden width = max(round8(eC x ratio), seMinHidden).</param>
    /// <param name="seMinHidden">Smallest squeeze-excitation hidden width.</param>
    /// <param name="bnEps">BatchNorm epsilon.</param>
    public BottleneckSE(long channels, double expansion, double seRatio, int seMinHidden, double bnEps) : base(nameof(BottleneckSE))
    {
        long hidden = SqueezeExcitation.MakeDivisible(channels * expansion, 8);
        expand = new ConvBnAct(channels, hidden, 1, bnEps: bnEps);
        conv = new ConvBnAct(hidden, hidden, 3, bnEps: bnEps);
        se = new SqueezeExcitation(hidden, SqueezeExcitation.HiddenWidth(hidden, seRatio, seMinHidden));
        reduce = new ConvBnAct(hidden, channels, 1, activation: Activation.None, bnEps: bnEps);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = reduce.call(se.call(conv.call(expand.call(x))));
        return (x + y).MoveToOuterDisposeScope();
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x) => x + reduce.Export(g, se.Export(g, conv.Export(g, expand.Export(g, x))));
}
