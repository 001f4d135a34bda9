using SoSeg.Onnx;
using SoSeg.Models.Analysis;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// MobileViTv2 separable self-attention on unfolded patches B x d x P x N (P pixels per patch, N patches):
/// a 1x1 conv makes one query channel, d key and d value channels; the query is softmaxed over the N
/// tokens, the keys summed with those weights into one context vector per patch pixel, and the output
/// is ReLU(values) x context, projected by a 1x1 conv. Cost is linear in N.
/// </summary>
public sealed class LinearSelfAttention : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly PrecisionConv2d qkv;
    readonly PrecisionConv2d proj;
    readonly long _dim;

    public LinearSelfAttention(long dim) : base(nameof(LinearSelfAttention))
    {
        _dim = dim;
        qkv = PrecisionLayers.Conv2d(dim, 1 + 2 * dim, 1);
        proj = PrecisionLayers.Conv2d(dim, dim, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var parts = qkv.call(x).split([1, _dim, _dim], dim: 1);
        var scores = ComputePrecision.Softmax(parts[0], -1);
        // Context: for each batch item and patch pixel a d x N by N x 1 product.
        var context = (parts[1] * scores).sum(-1, keepdim: true);
        FlopCounter.Add(FlopCounter.Operations.Attention, parts[1].numel());
        var mixed = nn.functional.relu(parts[2]) * context;
        return proj.call(mixed).MoveToOuterDisposeScope();
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x)
    {
        var parts = g.Split(qkv.Export(g, x), 1, 1, _dim, _dim);
        var context = g.ReduceSum(parts[1] * g.Softmax(parts[0], -1), -1, keepDims: true);
        return proj.Export(g, g.Relu(parts[2]) * context);
    }
}
