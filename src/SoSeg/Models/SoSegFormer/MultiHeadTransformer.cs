using SoSeg.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// A StageFormer's global path with multi-head self-attention: the B x d x P x N patches become B*P
/// sequences of N tokens (each patch pixel position attends across all patches, as in MobileViT),
/// pass the blocks and a final LayerNorm, and are put back.
/// </summary>
public sealed class MultiHeadTransformer : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly ModuleList<MultiHeadAttentionBlock> blocks;
    readonly LayerNorm norm;

    public MultiHeadTransformer(long dim, long heads, int blockCount, long ffnHidden) : base(nameof(MultiHeadTransformer))
    {
        blocks = new ModuleList<MultiHeadAttentionBlock>(
            Enumerable.Range(0, blockCount).Select(_ => new MultiHeadAttentionBlock(dim, heads, ffnHidden)).ToArray());
        norm = nn.LayerNorm(dim);
        RegisterComponents();
    }

    /// <summary>B x d x P x N in, same shape out.</summary>
    public override Tensor forward(Tensor patches)
    {
        using var scope = torch.NewDisposeScope();
        long batch = patches.shape[0], dim = patches.shape[1], pixels = patches.shape[2], count = patches.shape[3];
        var tokens = patches.permute(0, 2, 3, 1).reshape(batch * pixels, count, dim);
        foreach (var block in blocks) tokens = block.call(tokens);
        var normed = norm.call(tokens);
        return normed.view(batch, pixels, count, dim).permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue patches)
    {
        var tokens = g.Reshape(g.Transpose(patches, 0, 2, 3, 1), -1, g.Dim(patches, 3), g.Dim(patches, 1));
        foreach (var block in blocks) tokens = block.Export(g, tokens);
        var normed = g.Reshape(norm.Export(g, tokens), g.Dim(patches, 0), g.Dim(patches, 2), g.Dim(patches, 3), g.Dim(patches, 1));
        return g.Transpose(normed, 0, 3, 1, 2);
    }
}
