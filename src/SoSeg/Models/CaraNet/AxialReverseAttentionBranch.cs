using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.CaraNet;

/// <summary>
/// One CaraNet refinement step (axial reverse attention): the reduced encoder feature goes through a
/// <see cref="ChannelwiseFeaturePyramid"/> and the axial attention kernel (1x1 conv, 3x3 conv, attention
/// along height then width: official <c>AA_kernel</c>), is weighted by the reverse attention of the
/// coarser map, then three 3x3 conv-BN-PReLU units (C -> C -> C -> K) give a residual added to the coarser map.
/// </summary>
public sealed class AxialReverseAttentionBranch : nn.Module<Tensor, Tensor, Tensor>, IOnnxExportable2
{
    const double BnEps = 1e-3;
    readonly ChannelwiseFeaturePyramid context;
    readonly PrecisionConv2d attentionInput;
    readonly PrecisionConv2d attentionConv;
    readonly AxialSelfAttention heightAttention;
    readonly AxialSelfAttention widthAttention;
    readonly Sequential refine;

    public AxialReverseAttentionBranch(long channels, long numClasses, int cfpDilation = 8) : base(nameof(AxialReverseAttentionBranch))
    {
        context = new ChannelwiseFeaturePyramid(channels, cfpDilation);
        attentionInput = PrecisionLayers.Conv2d(channels, channels, 1, bias: false);
        attentionConv = PrecisionLayers.Conv2d(channels, channels, 3, padding: 1, bias: false);
        heightAttention = new AxialSelfAttention(channels, AttentionAxis.Height);
        widthAttention = new AxialSelfAttention(channels, AttentionAxis.Width);
        refine = nn.Sequential(
            new ConvBnAct(channels, channels, 3, activation: Activation.PReLU, bnEps: BnEps),
            new ConvBnAct(channels, channels, 3, activation: Activation.PReLU, bnEps: BnEps),
            new ConvBnAct(channels, numClasses, 3, activation: Activation.PReLU, bnEps: BnEps));
        RegisterComponents();
    }

    /// <param name="feature">Reduced encoder feature N x C x h x w.</param>
    /// <param name="coarser">The previous map, K x h x w (already resized to the feature).</param>
    public override Tensor forward(Tensor feature, Tensor coarser)
    {
        using var scope = torch.NewDisposeScope();
        var attended = widthAttention.call(heightAttention.call(attentionConv.call(attentionInput.call(context.call(feature)))));
        var weighted = attended * ReverseAttention.Weight(coarser);
        return (refine.call(weighted) + coarser).MoveToOuterDisposeScope();
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue feature, OnnxValue coarser)
    {
        var attended = widthAttention.Export(g, heightAttention.Export(g, attentionConv.Export(g, attentionInput.Export(g, context.Export(g, feature)))));
        return refine.Export(g, attended * ReverseAttention.Weight(g, coarser)) + coarser;
    }
}
