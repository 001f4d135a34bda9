using SoSeg.Onnx;
using SoSeg.Models.Backbones;
using SoSeg.Models.Blocks;
using SoSeg.Models.MixedPrecision;
using SoSeg.Losses;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.CFANet;

/// <summary>
/// CFANet (Zhou et al., "Cross-level Feature Aggregation Network for Polyp Segmentation", Pattern
/// Recognition 2023; official <c>lib/model.py</c>). Res2Net-50 v1b encoder.
/// Boundary stream: the stem feature (64 @ stride 4) and X1 (256 @ 4) each go through a 3x3/2 conv-BN-ReLU
/// to C @ 8 and are merged by <see cref="GateFusion"/>; three (2x up + 3x3 conv-BN-ReLU) steps give boundary
/// features at strides 4, 2, 1 (the last 64 wide) and a 1x1 edge map; each boundary feature is weighted by
/// its <see cref="EdgeChannelAttention"/>.
/// Two <see cref="CrossFeatureFusion"/>s fuse (max-pooled X1, X2) and (2x-up X3, 4x-up X4) at stride 8;
/// each feeds a <see cref="BoundaryGuidedDecoder"/> with its own 1x1 head (sal_out1, sal_out2); the main
/// output is a 1x1 head on the sum of both streams' final features (sal_out3, the official inference output).
/// All maps have K channels; the edge map stays one channel (class boundaries, see <see cref="EdgeTargets"/>).
/// </summary>
public sealed class CFANetModel : SegmentationModel
{
    readonly Res2Net encoder;
    readonly ConvBnAct stemDown;
    readonly ConvBnAct x1Down;
    readonly GateFusion lowFusion;
    readonly CrossFeatureFusion highFusion1;
    readonly CrossFeatureFusion highFusion2;
    readonly ConvBnAct edgeUp4;
    readonly ConvBnAct edgeUp2;
    readonly ConvBnAct edgeUp1;
    readonly PrecisionConv2d edgeHead;
    readonly EdgeChannelAttention lowAttention;
    readonly EdgeChannelAttention edgeAttention4;
    readonly EdgeChannelAttention edgeAttention2;
    readonly EdgeChannelAttention edgeAttention1;
    readonly BoundaryGuidedDecoder decoder1;
    readonly BoundaryGuidedDecoder decoder2;
    readonly PrecisionConv2d head1;
    readonly PrecisionConv2d head2;
    readonly PrecisionConv2d fusedHead;

    /// <param name="config">Input channels, classes K.</param>
    /// <param name="channels">Width C of the fused and boundary features (64; at least 16).</param>
    /// <param name="backbone">"res2net50" (official) or "res2net101".</param>
    public CFANetModel(ModelConfig config, int channels = 64, string backbone = "res2net50") : base("cfanet", config)
    {
        if (channels < 16 || channels % 2 != 0) throw new ArgumentException($"cfanet: channels must be an even number of at least 16, got {channels}.");
        long k = config.NumClasses;
        long c = channels;
        long final = BoundaryGuidedDecoder.FinalChannels;
        encoder = Res2Net.FromName(backbone, config.InChannels, "cfanet");
        stemDown = new ConvBnAct(Res2Net.Channels[0], c, 3, stride: 2, bias: true);
        x1Down = new ConvBnAct(Res2Net.Channels[1], c, 3, stride: 2, bias: true);
        lowFusion = new GateFusion(c);
        highFusion1 = new CrossFeatureFusion(Res2Net.Channels[1], Res2Net.Channels[2], c);
        highFusion2 = new CrossFeatureFusion(Res2Net.Channels[3], Res2Net.Channels[4], c);
        edgeUp4 = new ConvBnAct(c, c, 3, bias: true);
        edgeUp2 = new ConvBnAct(c, c, 3, bias: true);
        edgeUp1 = new ConvBnAct(c, final, 3, bias: true);
        edgeHead = PrecisionLayers.Conv2d(final, 1, 1);
        lowAttention = new EdgeChannelAttention(c);
        edgeAttention4 = new EdgeChannelAttention(c);
        edgeAttention2 = new EdgeChannelAttention(c);
        edgeAttention1 = new EdgeChannelAttention(final);
        decoder1 = new BoundaryGuidedDecoder(c);
        decoder2 = new BoundaryGuidedDecoder(c);
        head1 = PrecisionLayers.Conv2d(final, k, 1);
        head2 = PrecisionLayers.Conv2d(final, k, 1);
        fusedHead = PrecisionLayers.Conv2d(final, k, 1);
        RegisterComponents();
    }

    protected override SegmentationOutput ForwardPadded(Tensor input, bool withSideOutputs)
    {
        using var scope = torch.NewDisposeScope();
        using var features = encoder.call(input);

        // Boundary stream: stride 8 -> 4 -> 2 -> 1.
        var low = lowFusion.call(stemDown.call(features.Stem), x1Down.call(features.X1));
        var edge4 = edgeUp4.call(Resample.Scale(low, 2, alignCorners: true));
        var edge2 = edgeUp2.call(Resample.Scale(edge4, 2, alignCorners: true));
        var edge1 = edgeUp1.call(Resample.Scale(edge2, 2, alignCorners: true));
        Tensor[] boundaries =
        [
            low * lowAttention.call(low),
            edge4 * edgeAttention4.call(edge4),
            edge2 * edgeAttention2.call(edge2),
            edge1 * edgeAttention1.call(edge1),
        ];

        // Cross-level fusion at stride 8.
        var high1 = highFusion1.call(nn.functional.max_pool2d(features.X1, 2, stride: 2), features.X2);
        var high2 = highFusion2.call(Resample.Scale(features.X3, 2, alignCorners: true), Resample.Scale(features.X4, 4, alignCorners: true));

        var final1 = decoder1.call(high1, boundaries);
        var final2 = decoder2.call(high2, boundaries);
        var logits = fusedHead.call(final1 + final2).MoveToOuterDisposeScope();
        if (!withSideOutputs) return new SegmentationOutput(logits);

        var sides = new List<Tensor> { head1.call(final1).MoveToOuterDisposeScope(), head2.call(final2).MoveToOuterDisposeScope() };
        var edge = edgeHead.call(edge1).MoveToOuterDisposeScope();
        return new SegmentationOutput(logits, sides, edge);
    }

    protected override OnnxValue ExportPadded(OnnxGraph g, OnnxValue input)
    {
        var features = encoder.Export(g, input);
        var low = lowFusion.Export(g, stemDown.Export(g, features.Stem), x1Down.Export(g, features.X1));
        var edge4 = edgeUp4.Export(g, g.ResizeScale(low, 2, alignCorners: true));
        var edge2 = edgeUp2.Export(g, g.ResizeScale(edge4, 2, alignCorners: true));
        var edge1 = edgeUp1.Export(g, g.ResizeScale(edge2, 2, alignCorners: true));
        OnnxValue[] boundaries =
        [
            low * lowAttention.Export(g, low),
            edge4 * edgeAttention4.Export(g, edge4),
            edge2 * edgeAttention2.Export(g, edge2),
            edge1 * edgeAttention1.Export(g, edge1),
        ];
        var high1 = highFusion1.Export(g, g.MaxPool(features.X1, 2, 2), features.X2);
        var high2 = highFusion2.Export(g, g.ResizeScale(features.X3, 2, alignCorners: true), g.ResizeScale(features.X4, 4, alignCorners: true));
        return fusedHead.Export(g, decoder1.Export(g, high1, boundaries) + decoder2.Export(g, high2, boundaries));
    }
}
