using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Models.CFANet;

/// <summary>
/// One of CFANet's two decoder streams: starting from a fused feature at stride 8, four
/// <see cref="BoundaryAggregationModule"/>s inject the attended boundary features at strides 8, 4, 2, 1,
/// with 2x bilinear upsampling (aligned corners) + 3x3 conv-BN-ReLU (bias) between them; the last conv
/// narrows to 64 channels. Returns the final 64-channel feature at the input resolution.
/// </summary>
public sealed class BoundaryGuidedDecoder : nn.Module<Tensor, IReadOnlyList<Tensor>, Tensor>
{
    /// <summary>Channels of the full-resolution features (fixed at 64 in the official code).</summary>
    public const long FinalChannels = 64;

    readonly BoundaryAggregationModule aggregate8;
    readonly ConvBnAct up8;
    readonly BoundaryAggregationModule aggregate4;
    readonly ConvBnAct up4;
    readonly BoundaryAggregationModule aggregate2;
    readonly ConvBnAct up2;
    readonly BoundaryAggregationModule aggregate1;

    public BoundaryGuidedDecoder(long channels) : base(nameof(BoundaryGuidedDecoder))
    {
        aggregate8 = new BoundaryAggregationModule(channels);
        up8 = new ConvBnAct(channels, channels, 3, bias: true);
        aggregate4 = new BoundaryAggregationModule(channels);
        up4 = new ConvBnAct(channels, channels, 3, bias: true);
        aggregate2 = new BoundaryAggregationModule(channels);
        up2 = new ConvBnAct(channels, FinalChannels, 3, bias: true);
        aggregate1 = new BoundaryAggregationModule(FinalChannels);
        RegisterComponents();
    }

    /// <param name="high">Fused encoder feature at stride 8 (C channels).</param>
    /// <param name="boundaries">Attended boundary features at strides 8, 4, 2 (C channels) and 1 (64 channels).</param>
    public override Tensor forward(Tensor high, IReadOnlyList<Tensor> boundaries)
    {
        if (boundaries.Count != 4) throw new ArgumentException($"CFANet decoder: expected 4 boundary features, got {boundaries.Count}.");
        using var scope = torch.NewDisposeScope();
        var x = aggregate8.call(high, boundaries[0]);
        x = aggregate4.call(up8.call(Resample.Scale(x, 2, alignCorners: true)), boundaries[1]);
        x = aggregate2.call(up4.call(Resample.Scale(x, 2, alignCorners: true)), boundaries[2]);
        x = aggregate1.call(up2.call(Resample.Scale(x, 2, alignCorners: true)), boundaries[3]);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>ONNX export of <see cref="forward"/>.</summary>
    public OnnxValue Export(OnnxGraph g, OnnxValue high, IReadOnlyList<OnnxValue> boundaries)
    {
        OnnxValue Up2(OnnxValue v) => g.ResizeScale(v, 2, alignCorners: true);
        var x = aggregate8.Export(g, high, boundaries[0]);
        x = aggregate4.Export(g, up8.Export(g, Up2(x)), boundaries[1]);
        x = aggregate2.Export(g, up4.Export(g, Up2(x)), boundaries[2]);
        return aggregate1.Export(g, up2.Export(g, Up2(x)), boundaries[3]);
    }
}
