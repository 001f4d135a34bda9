using SoSeg.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Models.Blocks;

/// <summary>Stochastic depth: in training, drops a residual branch per sample with probability p and rescales the rest.</summary>
public sealed class DropPath : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly double _probability;

    public DropPath(double probability) : base(nameof(DropPath))
    {
        if (probability is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(probability), "drop-path probability must be in [0, 1).");
        _probability = probability;
    }

    public override Tensor forward(Tensor x)
    {
        if (!training || _probability == 0) return x.alias();
        double keep = 1 - _probability;
        var shape = new long[x.dim()];
        shape[0] = x.shape[0];
        for (int i = 1; i < shape.Length; i++) shape[i] = 1;
        using var mask = torch.empty(shape, dtype: x.dtype, device: x.device).bernoulli_(keep);
        return x * mask / keep;
    }

    /// <summary>Eval mode: the identity.</summary>
    public OnnxValue Export(OnnxGraph g, OnnxValue x) => x;
}
