using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Models.CFANet;

/// <summary>
/// CFANet's boundary aggregation module (BAM): o = 3x3 conv-BN(concat(x, e)) of a decoder feature x and an
/// attended boundary feature e; out = x + o * <see cref="GlobalAttention"/>(o).
/// </summary>
public sealed class BoundaryAggregationModule : nn.Module<Tensor, Tensor, Tensor>, IOnnxExportable2
{
    readonly ConvBnAct fuse;
    readonly GlobalAttention attention;

    public BoundaryAggregationModule(long channels) : base(nameof(BoundaryAggregationModule))
    {
        fuse = new ConvBnAct(2 * channels, channels, 3, activation: Activation.None);
        attention = new GlobalAttention(channels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor boundary)
    {
        using var scope = torch.NewDisposeScope();
        var fused = fuse.call(torch.cat([x, boundary], 1));
        return (x + fused * attention.call(fused)).MoveToOuterDisposeScope();
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x, OnnxValue boundary)
    {
        var fused = fuse.Export(g, g.Concat(1, x, boundary));
        return x + fused * attention.Export(g, fused);
    }
}
