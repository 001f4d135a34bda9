using SoSeg.Onnx;
using SoSeg.Models.Analysis;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.CaraNet;

/// <summary>The axis along which <see cref="AxialSelfAttention"/> attends.</summary>
public enum AttentionAxis { Height, Width }

/// <summary>
/// Self-attention along one spatial axis (CaraNet's <c>self_attn</c>, official <c>lib/self_attention.py</c>):
/// query and key 1x1 convs to C/8, value 1x1 to C (no bias); each row (Height) or column (Width) index is a
/// token whose features span the other axis and the channels; attention = sigmoid(q k^T) (sigmoid, not
/// softmax, and no scaling, as in the official code); out = gamma * attention(v) + x with gamma starting at 0.
/// The official code builds tokens with <c>x.view(B, -1, H)</c>, which is attention along the width for
/// square maps in both modes and mixes rows on non-square ones; this implementation attends along the
/// named axis for any map (the paper's height-then-width axial attention).
/// </summary>
public sealed class AxialSelfAttention : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly PrecisionConv2d query;
    readonly PrecisionConv2d key;
    readonly PrecisionConv2d value;
    readonly Parameter gamma;
    readonly AttentionAxis _axis;

    public AxialSelfAttention(long channels, AttentionAxis axis) : base(nameof(AxialSelfAttention))
    {
        if (channels < 8) throw new ArgumentException($"Axial attention needs at least 8 channels, got {channels}.", nameof(channels));
        _axis = axis;
        query = PrecisionLayers.Conv2d(channels, channels / 8, 1, bias: false);
        key = PrecisionLayers.Conv2d(channels, channels / 8, 1, bias: false);
        value = PrecisionLayers.Conv2d(channels, channels, 1, bias: false);
        gamma = nn.Parameter(torch.zeros(1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var q = Tokens(query.call(x));                                   // B x L x (C/8 * other)
        var k = Tokens(key.call(x));
        var v = Tokens(value.call(x));                                   // B x L x (C * other)
        var attention = torch.bmm(q, k.transpose(1, 2)).sigmoid();       // B x L x L
        var attended = Untokens(torch.bmm(attention, v), x.shape);
        // The two products have no layer of their own: report them to the FLOP counter (B L L (d_q + d_v) MACs).
        long batch = q.shape[0], tokens = q.shape[1];
        FlopCounter.Add(FlopCounter.Operations.Attention, batch * tokens * tokens * (q.shape[2] + v.shape[2]));
        return (gamma * attended + x).MoveToOuterDisposeScope();
    }

    // B x C x H x W -> B x L x (C * other axis), L = the attended axis.
    Tensor Tokens(Tensor t)
    {
        long b = t.shape[0], c = t.shape[1], h = t.shape[2], w = t.shape[3];
        return _axis == AttentionAxis.Height
            ? t.permute(0, 2, 1, 3).reshape(b, h, c * w)
            : t.permute(0, 3, 1, 2).reshape(b, w, c * h);
    }

    Tensor Untokens(Tensor t, long[] shape)
    {
        long b = shape[0], c = shape[1], h = shape[2], w = shape[3];
        return _axis == AttentionAxis.Height
            ? t.reshape(b, h, c, w).permute(0, 2, 1, 3)
            : t.reshape(b, w, c, h).permute(0, 2, 3, 1);
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x)
    {
        var q = Tokens(g, query.Export(g, x));
        var k = Tokens(g, key.Export(g, x));
        var v = Tokens(g, value.Export(g, x));
        var attention = g.Sigmoid(g.MatMul(q, g.Transpose(k, 0, 2, 1)));
        var attended = g.MatMul(attention, v);
        // B x L x (C * other) back to B x C x H x W.
        attended = _axis == AttentionAxis.Height
            ? g.Transpose(g.Reshape(attended, 0, 0, g.Dim(x, 1), g.Dim(x, 3)), 0, 2, 1, 3)
            : g.Transpose(g.Reshape(attended, 0, 0, g.Dim(x, 1), g.Dim(x, 2)), 0, 2, 3, 1);
        return g.Weight(gamma) * attended + x;
    }

    OnnxValue Tokens(OnnxGraph g, OnnxValue t) =>
        g.Reshape(_axis == AttentionAxis.Height ? g.Transpose(t, 0, 2, 1, 3) : g.Transpose(t, 0, 3, 1, 2), 0, 0, -1);
}
