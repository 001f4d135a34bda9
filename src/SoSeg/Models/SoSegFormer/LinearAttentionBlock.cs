using SoSeg.Models.Blocks;
using SoSeg.Onnx;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// Pre-norm transformer block of MobileViTv2 on B x d x P x N: x + Attention(BN(x)), then
/// x + FFN(BN(x)) with FFN = 1x1 conv d -> hidden, SiLU, 1x1 conv hidden -> d.
/// </summary>
public sealed class LinearAttentionBlock : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly StableBatchNorm2d attention_norm;
    readonly LinearSelfAttention attention;
    readonly StableBatchNorm2d ffn_norm;
    readonly PrecisionConv2d ffn_in;
    readonly PrecisionConv2d ffn_out;

    public LinearAttentionBlock(long dim, long ffnHidden, double bnEps) : base(nameof(LinearAttentionBlock))
    {
        attention_norm = new StableBatchNorm2d(dim, bnEps);
        attention = new LinearSelfAttention(dim);
        ffn_norm = new StableBatchNorm2d(dim, bnEps);
        ffn_in = PrecisionLayers.Conv2d(dim, ffnHidden, 1);
        ffn_out = PrecisionLayers.Conv2d(ffnHidden, dim, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = x + attention.call(attention_norm.call(x));
        var hidden = nn.functional.silu(ffn_in.call(ffn_norm.call(y)));
        return (y + ffn_out.call(hidden)).MoveToOuterDisposeScope();
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x)
    {
        var y = x + attention.Export(g, attention_norm.Export(g, x));
        return y + ffn_out.Export(g, g.Silu(ffn_in.Export(g, ffn_norm.Export(g, y))));
    }
}
