using SoSeg.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.Blocks;

/// <summary>
/// Atrous spatial pyramid pooling (DeepLabv3, Chen et al. 2017): parallel 1x1, dilated 3x3 (one per rate)
/// and image-pooling branches of <c>outChannels</c> each (conv-BN-ReLU), concatenated, projected by a
/// 1x1 conv-BN-ReLU, then Dropout2d. The image-pooling branch batch-normalises a 1 x 1 map: train with
/// batches of 2 or more (with one image it outputs the norm's bias alone and learns nothing; PyTorch
/// raises an error there, libtorch does not).
/// </summary>
public sealed class Aspp : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly ConvBnAct pointwise;
    readonly ModuleList<ConvBnAct> atrous;
    readonly ConvBnAct pooling;
    readonly ConvBnAct project;
    readonly Dropout2d dropout;

    /// <param name="inChannels">Channels of the input feature map.</param>
    /// <param name="outChannels">Channels of every branch and of the output.</param>
    /// <param name="rates">Dilation of each 3x3 branch (DeepLabv3 at output stride 16: 6, 12, 18; the SoSegFormer authors: 12, 24, 36).</param>
    /// <param name="dropoutRate">Dropout2d after the projection.</param>
    /// <param name="bnEps">BatchNorm epsilon.</param>
    public Aspp(long inChannels, long outChannels, IReadOnlyList<int> rates, double dropoutRate = 0.1, double bnEps = 1e-5)
        : base(nameof(Aspp))
    {
        if (rates.Count == 0) throw new ArgumentException("ASPP needs at least one atrous rate.", nameof(rates));
        if (rates.Any(r => r < 1)) throw new ArgumentException($"ASPP rates must be at least 1, got {string.Join(",", rates)}.", nameof(rates));
        pointwise = new ConvBnAct(inChannels, outChannels, 1, bnEps: bnEps);
        atrous = new ModuleList<ConvBnAct>(rates.Select(r => new ConvBnAct(inChannels, outChannels, 3, dilation: r, bnEps: bnEps)).ToArray());
        pooling = new ConvBnAct(inChannels, outChannels, 1, bnEps: bnEps);
        project = new ConvBnAct((rates.Count + 2) * outChannels, outChannels, 1, bnEps: bnEps);
        dropout = nn.Dropout2d(dropoutRate);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var branches = new List<Tensor> { pointwise.call(x) };
        branches.AddRange(atrous.Select(branch => branch.call(x)));
        using var pooled = GlobalAvgPool.Apply(x);
        // Bilinear upsampling of a 1 x 1 map is a broadcast; expand says so without the interpolation.
        branches.Add(PoolingBranch(pooled).expand(-1, -1, x.shape[2], x.shape[3]));
        using var concatenated = torch.cat(branches, dim: 1);
        return dropout.call(project.call(concatenated)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The image-pooling branch's BatchNorm sees one value per channel and sample: a training batch of one sample has no
    /// batch variance (PyTorch refuses it; libtorch writes NaN into the running variance, and every later evaluation
    /// predicts NaN). Such a batch is normalised with the running statistics and leaves them unchanged, as CFANet's
    /// global attention does.
    /// </summary>
    Tensor PoolingBranch(Tensor pooled)
    {
        if (!training || pooled.shape[0] > 1) return pooling.call(pooled);
        pooling.eval();
        try { return pooling.call(pooled); }
        finally { pooling.train(); }
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x)
    {
        var branches = new List<OnnxValue> { pointwise.Export(g, x) };
        branches.AddRange(atrous.Select(branch => branch.Export(g, x)));
        var pooled = pooling.Export(g, g.GlobalAveragePool(x));
        branches.Add(g.Expand(pooled, g.ShapeOf(1L, 1L, g.Dims(x, 2, 4))));
        return dropout.Export(g, project.Export(g, g.Concat(1, [.. branches])));
    }
}
