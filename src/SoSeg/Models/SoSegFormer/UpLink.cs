using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// The paper's "TransConv 3x3 (down) 2" unit (the authors' UpLink): 1x1 Cin -> Cin/4, BN, ReLU; 3x3
/// transposed conv with stride 2 (padding 1, output padding 1: exactly doubles H and W), BN, ReLU;
/// 1x1 Cin/4 -> Cout, BN, ReLU.
/// </summary>
public sealed class UpLink : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly ConvBnAct reduce;
    readonly PrecisionConvTranspose2d upsample;
    readonly StableBatchNorm2d upsample_bn;
    readonly ConvBnAct project;

    public UpLink(long inChannels, long outChannels, double bnEps) : base(nameof(UpLink))
    {
        long hidden = Math.Max(1, inChannels / 4);
        reduce = new ConvBnAct(inChannels, hidden, 1, bnEps: bnEps);
        upsample = PrecisionLayers.ConvTranspose2d(hidden, hidden, 3, stride: 2, padding: 1, output_padding: 1, bias: false);
        upsample_bn = new StableBatchNorm2d(hidden, bnEps);
        project = new ConvBnAct(hidden, outChannels, 1, bnEps: bnEps);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var up = nn.functional.relu(upsample_bn.call(upsample.call(reduce.call(x))));
        return project.call(up).MoveToOuterDisposeScope();
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x) =>
        project.Export(g, g.Relu(upsample_bn.Export(g, upsample.Export(g, reduce.Export(g, x)))));
}
