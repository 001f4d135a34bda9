using SoSeg.Onnx;
using SoSeg.Models.Analysis;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// Multi-head self-attention on token sequences B x N x d through
/// <c>scaled_dot_product_attention</c> (fused kernels where libtorch has them); cost quadratic in N.
/// </summary>
public sealed class MultiHeadSelfAttention : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly PrecisionLinear qkv;
    readonly PrecisionLinear proj;
    readonly long _heads;

    public MultiHeadSelfAttention(long dim, long heads) : base(nameof(MultiHeadSelfAttention))
    {
        if (heads < 1 || dim % heads != 0)
            throw new ArgumentException($"Multi-head attention: {heads} head(s) do not divide the attention width {dim}.");
        _heads = heads;
        qkv = PrecisionLayers.Linear(dim, 3 * dim);
        proj = PrecisionLayers.Linear(dim, dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long batch = x.shape[0], tokens = x.shape[1], dim = x.shape[2];
        // B x N x 3d -> 3 x B x heads x N x d/heads
        var qkvHeads = qkv.call(x).view(batch, tokens, 3, _heads, dim / _heads).permute(2, 0, 3, 1, 4);
        var attended = nn.functional.scaled_dot_product_attention(qkvHeads[0], qkvHeads[1], qkvHeads[2]);
        // Q K^T and (softmax) V: two B x heads x N x N x d/heads products.
        FlopCounter.Add(FlopCounter.Operations.Attention, 2 * batch * tokens * tokens * dim);
        var merged = attended.transpose(1, 2).reshape(batch, tokens, dim);
        return proj.call(merged).MoveToOuterDisposeScope();
    }

    /// <summary>Scaled dot-product attention written out: softmax(Q K^T / sqrt(d_head)) V.</summary>
    public OnnxValue Export(OnnxGraph g, OnnxValue x)
    {
        long headDim = proj.weight.shape[1] / _heads;
        // B x N x 3d -> 3 x B x heads x N x d/heads
        var qkvHeads = g.Transpose(g.Reshape(qkv.Export(g, x), 0, 0, 3, _heads, headDim), 2, 0, 3, 1, 4);
        var (q, k, v) = (g.Select(qkvHeads, 0, 0), g.Select(qkvHeads, 0, 1), g.Select(qkvHeads, 0, 2));
        var scores = g.Softmax(g.MatMul(q, g.Transpose(k, 0, 1, 3, 2)) * (1.0 / Math.Sqrt(headDim)), -1);
        var merged = g.Reshape(g.Transpose(g.MatMul(scores, v), 0, 2, 1, 3), 0, 0, -1);
        return proj.Export(g, merged);
    }
}
