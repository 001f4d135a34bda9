using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// The paper's stage transformer (Fig. 2), MobileViT-style. Local path: 3x3 conv (depthwise separable by
/// default: depthwise 3x3, pointwise 1x1, then one BN and SiLU), squeeze-excitation, 1x1 to d = C/2. Global path: unfold the local features
/// into 2x2 patches, two pre-norm transformer blocks and a final norm, fold back. Fusion: 1x1 conv + BN
/// on concat(global, local) back to C, added to the input through DropPath (skip connection).
/// </summary>
public sealed class StageFormer : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly nn.Module<Tensor, Tensor> local_conv;
    readonly SqueezeExcitation local_se;
    readonly PrecisionConv2d local_proj;
    readonly nn.Module<Tensor, Tensor> global;
    readonly ConvBnAct fuse;
    readonly DropPath drop_path;
    readonly int _patch;

    public StageFormer(long channels, StageFormerConfig config) : base(nameof(StageFormer))
    {
        if (channels < 2 || channels % 2 != 0)
            throw new ArgumentException($"StageFormer: channels must be even (attention works on C/2), got {channels}.");
        if (config.Blocks < 1) throw new ArgumentException($"StageFormer: needs at least one transformer block, got {config.Blocks}.");
        if (config.PatchSize < 1) throw new ArgumentException($"StageFormer: patch size must be at least 1, got {config.PatchSize}.");
        long dim = channels / 2;
        long ffnHidden = SqueezeExcitation.MakeDivisible(config.FfnRatio * dim, 16);
        _patch = config.PatchSize;

        local_conv = config.LocalConv switch
        {
            // The spec: one BN + SiLU after the depthwise + pointwise pair.
            LocalConvKind.DepthwiseSeparable => nn.Sequential(
                ("depthwise", PrecisionLayers.Conv2d(channels, channels, 3, padding: 1, groups: channels, bias: false)),
                ("pointwise", new ConvBnAct(channels, channels, 1, activation: Activation.SiLU, bnEps: config.BnEps))),
            LocalConvKind.DepthwiseSeparableNormEach => nn.Sequential(
                ("depthwise", new ConvBnAct(channels, channels, 3, groups: channels, activation: Activation.SiLU, bnEps: config.BnEps)),
                ("pointwise", new ConvBnAct(channels, channels, 1, activation: Activation.SiLU, bnEps: config.BnEps))),
            _ => new ConvBnAct(channels, channels, 3, activation: Activation.SiLU, bnEps: config.BnEps),
        };
        local_se = new SqueezeExcitation(channels, SqueezeExcitation.HiddenWidth(channels, config.SeRatio, config.SeMinHidden));
        local_proj = PrecisionLayers.Conv2d(channels, dim, 1, bias: false);
        global = config.Attention == AttentionKind.Linear
            ? new LinearAttentionTransformer(dim, config.Blocks, ffnHidden, config.BnEps)
            : new MultiHeadTransformer(dim, config.Heads, config.Blocks, ffnHidden);
        fuse = new ConvBnAct(2 * dim, channels, 1, activation: Activation.None, bnEps: config.BnEps);
        drop_path = new DropPath(config.DropPath);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long height = x.shape[2], width = x.shape[3];
        if (height % _patch != 0 || width % _patch != 0)
            throw new ArgumentException($"StageFormer: a {height} x {width} feature map does not split into {_patch} x {_patch} patches.");
        using var scope = torch.NewDisposeScope();
        var local = local_proj.call(local_se.call(local_conv.call(x)));
        var globalFeatures = Fold(global.call(Unfold(local, _patch)), height, width, _patch);
        var fused = fuse.call(torch.cat([globalFeatures, local], dim: 1));
        return (x + drop_path.call(fused)).MoveToOuterDisposeScope();
    }

    /// <summary>B x d x H x W -> B x d x P x N: P = p*p pixels per patch, N = (H/p)(W/p) patches (F.unfold order).</summary>
    public static Tensor Unfold(Tensor x, long p)
    {
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        return x.reshape(b, c, h / p, p, w / p, p).permute(0, 1, 3, 5, 2, 4).reshape(b, c, p * p, h / p * (w / p));
    }

    /// <summary>Inverse of <see cref="Unfold(Tensor, long)"/>.</summary>
    public static Tensor Fold(Tensor patches, long height, long width, long p)
    {
        long b = patches.shape[0], c = patches.shape[1];
        return patches.reshape(b, c, p, p, height / p, width / p).permute(0, 1, 4, 2, 5, 3).reshape(b, c, height, width);
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x)
    {
        var local = local_proj.Export(g, local_se.Export(g, local_conv.Export(g, x)));
        var globalFeatures = Fold(g, global.Export(g, Unfold(g, local, _patch)), x, _patch);
        var fused = fuse.Export(g, g.Concat(1, globalFeatures, local));
        return x + drop_path.Export(g, fused);
    }

    /// <summary>ONNX export of <see cref="Unfold(Tensor, long)"/>.</summary>
    public static OnnxValue Unfold(OnnxGraph g, OnnxValue x, long p)
    {
        var rows = g.Node("Div", g.Dim(x, 2), g.Int64s(p));
        var columns = g.Node("Div", g.Dim(x, 3), g.Int64s(p));
        return g.Reshape(g.Transpose(g.Reshape(x, 0, 0, rows, p, columns, p), 0, 1, 3, 5, 2, 4), 0, 0, p * p, -1);
    }

    /// <summary>ONNX export of <see cref="Fold(Tensor, long, long, long)"/>, to the spatial size of <paramref name="reference"/>.</summary>
    public static OnnxValue Fold(OnnxGraph g, OnnxValue patches, OnnxValue reference, long p)
    {
        var rows = g.Node("Div", g.Dim(reference, 2), g.Int64s(p));
        var columns = g.Node("Div", g.Dim(reference, 3), g.Int64s(p));
        var blocks = g.Transpose(g.Reshape(patches, 0, 0, p, p, rows, columns), 0, 1, 4, 2, 5, 3);
        return g.Reshape(blocks, 0, 0, g.Dim(reference, 2), g.Dim(reference, 3));
    }
}
