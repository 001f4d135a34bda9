using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// One decoder stage (the authors' FGLink step): <see cref="UpLink"/> doubles the resolution and maps to
/// the stage width C; the result is concatenated with the stage's instructed branch features R'_s,
/// fused by 3x3 conv 2C -> C (BN, ReLU) and 1x1 conv (BN, ReLU), then refined by a StageFormer.
/// </summary>
public sealed class DecoderStage : nn.Module<Tensor, Tensor, Tensor>, IOnnxExportable2
{
    readonly UpLink up;
    readonly Sequential fuse;
    readonly StageFormer former;

    public DecoderStage(long inChannels, long channels, StageFormerConfig formerConfig) : base(nameof(DecoderStage))
    {
        up = new UpLink(inChannels, channels, formerConfig.BnEps);
        fuse = nn.Sequential(
            ("conv", new ConvBnAct(2 * channels, channels, 3, bnEps: formerConfig.BnEps)),
            ("pointwise", new ConvBnAct(channels, channels, 1, bnEps: formerConfig.BnEps)));
        former = new StageFormer(channels, formerConfig);
        RegisterComponents();
    }

    /// <param name="deeper">The previous (coarser) decoder output, or the last encoder stage.</param>
    /// <param name="skip">R'_s at twice the resolution of <paramref name="deeper"/>.</param>
    public override Tensor forward(Tensor deeper, Tensor skip)
    {
        using var scope = torch.NewDisposeScope();
        var upsampled = up.call(deeper);
        var fused = fuse.call(torch.cat([upsampled, skip], dim: 1));
        return former.call(fused).MoveToOuterDisposeScope();
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue deeper, OnnxValue skip) =>
        former.Export(g, fuse.Export(g, g.Concat(1, up.Export(g, deeper), skip)));
}
