using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.CFANet;

/// <summary>
/// The channel gate inside CFANet's BAM (official <c>global_module</c>): global average pool -> 1x1 conv
/// (C -> C/4, bias) -> BN -> ReLU -> 1x1 conv (C/4 -> C, bias) -> BN -> sigmoid, giving N x C x 1 x 1 weights.
/// <para>
/// Its BatchNorms see one value per channel and sample. With a training batch of one sample the batch
/// statistics are undefined (PyTorch refuses such a batch; libtorch silently zeroes the output and writes
/// NaN into the running variance). Here such a batch is normalised with the running statistics instead and
/// leaves them unchanged, so batch-1 training works and the model stays usable in evaluation.
/// </para>
/// </summary>
public sealed class GlobalAttention : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    const double BnEps = 1e-5;
    readonly PrecisionConv2d reduce;
    readonly StableBatchNorm2d reduceNorm;
    readonly PrecisionConv2d expand;
    readonly StableBatchNorm2d expandNorm;

    public GlobalAttention(long channels, long reduction = 4) : base(nameof(GlobalAttention))
    {
        long hidden = channels / reduction;
        if (hidden < 1) throw new ArgumentException($"Global attention: {channels} channels / {reduction} leaves no hidden channel.", nameof(channels));
        reduce = PrecisionLayers.Conv2d(channels, hidden, 1);
        reduceNorm = new StableBatchNorm2d(hidden, BnEps);
        expand = PrecisionLayers.Conv2d(hidden, channels, 1);
        expandNorm = new StableBatchNorm2d(channels, BnEps);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var pooled = GlobalAvgPool.Apply(x);
        var hidden = nn.functional.relu(Normalize(reduceNorm, reduce.call(pooled)));
        return Normalize(expandNorm, expand.call(hidden)).sigmoid().MoveToOuterDisposeScope();
    }

    Tensor Normalize(StableBatchNorm2d norm, Tensor x)
    {
        if (!training || x.shape[0] > 1) return norm.call(x);
        return nn.functional.batch_norm(x, norm.running_mean, norm.running_var, norm.weight, norm.bias,
                                        training: false, BnEps);
    }

    /// <summary>Eval mode: both norms use their running statistics.</summary>
    public OnnxValue Export(OnnxGraph g, OnnxValue x)
    {
        var hidden = g.Relu(reduceNorm.Export(g, reduce.Export(g, g.GlobalAveragePool(x))));
        return g.Sigmoid(expandNorm.Export(g, expand.Export(g, hidden)));
    }
}
