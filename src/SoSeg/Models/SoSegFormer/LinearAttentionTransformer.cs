using SoSeg.Models.Blocks;
using SoSeg.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// A StageFormer's global path with separable linear attention: blocks over B x d x P x N patches
/// and a final BatchNorm (MobileViTv2 layout: channels first, 1x1 convs as linear layers).
/// </summary>
public sealed class LinearAttentionTransformer : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly ModuleList<LinearAttentionBlock> blocks;
    readonly StableBatchNorm2d norm;

    public LinearAttentionTransformer(long dim, int blockCount, long ffnHidden, double bnEps) : base(nameof(LinearAttentionTransformer))
    {
        blocks = new ModuleList<LinearAttentionBlock>(
            Enumerable.Range(0, blockCount).Select(_ => new LinearAttentionBlock(dim, ffnHidden, bnEps)).ToArray());
        norm = new StableBatchNorm2d(dim, bnEps);
        RegisterComponents();
    }

    /// <summary>B x d x P x N in, same shape out.</summary>
    public override Tensor forward(Tensor patches)
    {
        using var scope = torch.NewDisposeScope();
        var x = patches;
        foreach (var block in blocks) x = block.call(x);
        return norm.call(x).MoveToOuterDisposeScope();
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue patches)
    {
        var x = patches;
        foreach (var block in blocks) x = block.Export(g, x);
        return norm.Export(g, x);
    }
}
