using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.UNetPlusPlus;

/// <summary>How U-Net++ turns its four deep-supervision heads into the main prediction.</summary>
public enum DeepSupervisionInference
{
    /// <summary>"Accurate mode" of the paper: the class probabilities of the four heads are averaged.</summary>
    Mean,

    /// <summary>"Fast mode" at the full depth: the head on X^{0,4} alone.</summary>
    Last,
}

/// <summary>
/// U-Net++ (Zhou, Rahman Siddiquee, Tajbakhsh, Liang, DLMIA/ML-CDS 2018), after the official Keras
/// <c>UNetPlusPlus</c> in MrGiovanni/UNetPlusPlus <c>keras/helper_functions.py</c>: an encoder of nodes
/// X^{i,0} (filters 32, 64, 128, 256, 512, 2x2 max-pooling) and nested decoder nodes
/// X^{i,j} = unit(concat(up(X^{i+1,j-1}), X^{i,0}, ..., X^{i,j-1})), the up-sampling a 2x2 stride-2
/// transposed convolution to the width of level i. With deep supervision a 1x1 head to K classes sits on
/// each of X^{0,1..4}; the heads are the side outputs and the main logits are their average
/// (accurate mode: log of the mean softmax) or the last head (fast mode).
/// </summary>
public sealed class UNetPlusPlus : SegmentationModel
{
    /// <summary>Encoder levels (the input resolution and four poolings).</summary>
    public const int Levels = 5;

    readonly ModuleList<NestedConvUnit> encoder;
    readonly ModuleMap<NestedConvUnit> nodes;
    readonly ModuleMap<PrecisionConvTranspose2d> upsamplers;
    readonly ModuleList<PrecisionConv2d> heads;

    /// <param name="config">Input channels, classes (options are read by the factory).</param>
    /// <param name="baseWidth">Filters of level 0, doubled per level (32 in the reference).</param>
    /// <param name="deepSupervision">Four heads on X^{0,1..4} (side outputs) instead of one on X^{0,4}.</param>
    /// <param name="inference">How the heads make the main logits when deep supervision is on.</param>
    /// <param name="dropout">Dropout after every convolution (0.5 in the reference).</param>
    /// <param name="batchNorm">BatchNorm after every 3x3 convolution (the reference has none).</param>
    public UNetPlusPlus(ModelConfig config, int baseWidth = 32, bool deepSupervision = true,
                        DeepSupervisionInference inference = DeepSupervisionInference.Mean,
                        double dropout = 0.5, bool batchNorm = false)
        : base("unetpp", config)
    {
        if (baseWidth < 1) throw new ArgumentException($"unetpp: base-width must be at least 1, got {baseWidth}.");
        DeepSupervision = deepSupervision;
        Inference = inference;
        var widths = Enumerable.Range(0, Levels).Select(i => (long)baseWidth << i).ToArray();

        encoder = new ModuleList<NestedConvUnit>();
        for (int level = 0; level < Levels; level++)
            encoder.Add(new NestedConvUnit(level == 0 ? config.InChannels : widths[level - 1], widths[level], dropout, batchNorm));

        nodes = new ModuleMap<NestedConvUnit>();
        upsamplers = new ModuleMap<PrecisionConvTranspose2d>();
        for (int column = 1; column < Levels; column++)
        {
            for (int level = 0; level < Levels - column; level++)
            {
                var up = PrecisionLayers.ConvTranspose2d(widths[level + 1], widths[level], 2, stride: 2);
                WeightInit.GlorotUniform(up);
                upsamplers.Add(NodeName(level, column), up);
                nodes.Add(NodeName(level, column), new NestedConvUnit(widths[level] * (column + 1), widths[level], dropout, batchNorm));
            }
        }

        heads = new ModuleList<PrecisionConv2d>();
        for (int i = 0; i < (deepSupervision ? Levels - 1 : 1); i++)
        {
            var head = PrecisionLayers.Conv2d(widths[0], config.NumClasses, 1);
            WeightInit.HeNormal(head);
            heads.Add(head);
        }
        RegisterComponents();
    }

    /// <summary>True when the four heads are trained (side outputs).</summary>
    public bool DeepSupervision { get; }

    /// <summary>How the heads form the main logits.</summary>
    public DeepSupervisionInference Inference { get; }

    /// <summary>Four 2x2 poolings: H and W must be multiples of 16.</summary>
    public override int SizeDivisor => 16;

    /// <summary>State-dict key of node X^{level,column}.</summary>
    static string NodeName(int level, int column) => $"x{level}_{column}";

    protected override SegmentationOutput ForwardPadded(Tensor input, bool withSideOutputs)
    {
        using var scope = NewDisposeScope();
        // grid[level][column] = X^{level,column}
        var grid = new List<Tensor>[Levels];
        for (int level = 0; level < Levels; level++) grid[level] = new List<Tensor>(Levels - level);

        // The official graph builds the nodes diagonal by diagonal: X^{i,0} then X^{i-1,1}, ..., X^{0,i}.
        for (int level = 0; level < Levels; level++)
        {
            var source = level == 0 ? input : nn.functional.max_pool2d(grid[level - 1][0], 2);
            grid[level].Add(encoder[level].call(source));
            for (int column = 1; column <= level; column++)
            {
                int row = level - column;
                string name = NodeName(row, column);
                var up = upsamplers[name].call(grid[row + 1][column - 1]);
                var joined = torch.cat([up, .. grid[row]], 1);
                grid[row].Add(nodes[name].call(joined));
            }
        }

        var top = grid[0];
        if (!DeepSupervision)
            return new SegmentationOutput(heads[0].call(top[Levels - 1]).MoveToOuterDisposeScope());

        bool needAllHeads = withSideOutputs || Inference == DeepSupervisionInference.Mean;
        var headOutputs = new List<Tensor>(Levels - 1);
        for (int i = needAllHeads ? 0 : Levels - 2; i < Levels - 1; i++)
            headOutputs.Add(heads[i].call(top[i + 1]));

        Tensor logits;
        if (Inference == DeepSupervisionInference.Mean)
        {
            // log(mean_h softmax(l_h)) = logsumexp_h(log_softmax(l_h)) - log H: logits whose softmax is the average probability.
            var logProbabilities = torch.stack(headOutputs.Select(h => nn.functional.log_softmax(ComputePrecision.ToFull(h), 1)), 0);
            logits = torch.logsumexp(logProbabilities, 0) - Math.Log(headOutputs.Count);
        }
        else
        {
            logits = headOutputs[^1].alias();
        }

        var sideOutputs = withSideOutputs
            ? headOutputs.Select(h => h.MoveToOuterDisposeScope()).ToList()
            : new List<Tensor>();
        return new SegmentationOutput(logits.MoveToOuterDisposeScope(), sideOutputs);
    }

    protected override OnnxValue ExportPadded(OnnxGraph g, OnnxValue input)
    {
        var grid = new List<OnnxValue>[Levels];
        for (int level = 0; level < Levels; level++) grid[level] = new List<OnnxValue>(Levels - level);
        for (int level = 0; level < Levels; level++)
        {
            var source = level == 0 ? input : g.MaxPool(grid[level - 1][0], 2, 2);
            grid[level].Add(encoder[level].Export(g, source));
            for (int column = 1; column <= level; column++)
            {
                int row = level - column;
                string name = NodeName(row, column);
                var up = upsamplers[name].Export(g, grid[row + 1][column - 1]);
                grid[row].Add(nodes[name].Export(g, g.Concat(1, [up, .. grid[row]])));
            }
        }
        var top = grid[0];
        if (!DeepSupervision) return heads[0].Export(g, top[Levels - 1]);
        if (Inference == DeepSupervisionInference.Last) return heads[Levels - 2].Export(g, top[Levels - 1]);
        var logProbabilities = Enumerable.Range(0, Levels - 1)
            .Select(i => g.Unsqueeze(g.LogSoftmax(heads[i].Export(g, top[i + 1]), 1), 0)).ToArray();
        return g.ReduceLogSumExp(g.Concat(0, logProbabilities), 0, keepDims: false) - Math.Log(Levels - 1);
    }
}
