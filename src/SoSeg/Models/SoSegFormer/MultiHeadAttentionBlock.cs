using SoSeg.Onnx;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// Pre-norm ViT block (as MobileViT's) on tokens B x N x d: x + MHSA(LN(x)), then x + FFN(LN(x)) with
/// FFN = Linear d -> hidden, SiLU, Linear hidden -> d.
/// </summary>
public sealed class MultiHeadAttentionBlock : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly LayerNorm attention_norm;
    readonly MultiHeadSelfAttention attention;
    readonly LayerNorm ffn_norm;
    readonly PrecisionLinear ffn_in;
    readonly PrecisionLinear ffn_out;

    public MultiHeadAttentionBlock(long dim, long heads, long ffnHidden) : base(nameof(MultiHeadAttentionBlock))
    {
        attention_norm = nn.LayerNorm(dim);
        attention = new MultiHeadSelfAttention(dim, heads);
        ffn_norm = nn.LayerNorm(dim);
        ffn_in = PrecisionLayers.Linear(dim, ffnHidden);
        ffn_out = PrecisionLayers.Linear(ffnHidden, dim);
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
