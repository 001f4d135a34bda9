using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.HRNet;

/// <summary>
/// One HRNet module (official <c>HighResolutionModule</c>): each branch runs its own BasicBlocks at its
/// resolution, then every output i sums all branches j brought to its resolution and width:
/// j = i as is; j &gt; i (lower resolution) by 1x1 conv + BN then bilinear upsampling; j &lt; i (higher
/// resolution) by i - j stride-2 3x3 conv + BN units, with ReLU between them but not after the last
/// (the intermediate units keep branch j's width, the last maps to branch i's). The sum passes a ReLU.
/// </summary>
public sealed class HighResolutionModule : nn.Module<Tensor[], Tensor[]>
{
    readonly ModuleList<Sequential> branches;
    readonly ModuleList<ModuleList<nn.Module<Tensor, Tensor>>> fuse;

    /// <param name="widths">Channels of each branch (W, 2W, ...); branch b runs at 1/2^b of the first's resolution.</param>
    /// <param name="blocksPerBranch">BasicBlocks per branch (4 in HRNetV2).</param>
    public HighResolutionModule(IReadOnlyList<long> widths, int blocksPerBranch)
        : base(nameof(HighResolutionModule))
    {
        if (widths.Count < 1) throw new ArgumentException("HRNet module: needs at least one branch.");
        if (blocksPerBranch < 1) throw new ArgumentException($"HRNet module: blocks per branch must be at least 1, got {blocksPerBranch}.");

        branches = new ModuleList<Sequential>();
        foreach (long width in widths)
            branches.Add(nn.Sequential(Enumerable.Range(0, blocksPerBranch)
                .Select(_ => (nn.Module<Tensor, Tensor>)new BasicBlock(width, width)).ToArray()));

        fuse = new ModuleList<ModuleList<nn.Module<Tensor, Tensor>>>();
        for (int i = 0; i < widths.Count; i++)
        {
            var row = new ModuleList<nn.Module<Tensor, Tensor>>();
            for (int j = 0; j < widths.Count; j++)
                row.Add(FuseUnit(widths, from: j, to: i));
            fuse.Add(row);
        }
        RegisterComponents();
    }

    /// <summary>The unit that carries branch <paramref name="from"/> into the sum of output <paramref name="to"/>.</summary>
    static nn.Module<Tensor, Tensor> FuseUnit(IReadOnlyList<long> widths, int from, int to)
    {
        if (from == to) return nn.Identity();
        if (from > to) return new ConvBnAct(widths[from], widths[to], 1, activation: Activation.None);
        var steps = new List<nn.Module<Tensor, Tensor>>();
        for (int k = 0; k < to - from; k++)
        {
            bool last = k == to - from - 1;
            steps.Add(new ConvBnAct(widths[from], last ? widths[to] : widths[from], 3, stride: 2,
                                    activation: last ? Activation.None : Activation.ReLU));
        }
        return nn.Sequential(steps);
    }

    public override Tensor[] forward(Tensor[] inputs)
    {
        if (inputs.Length != branches.Count)
            throw new ArgumentException($"HRNet module: expected {branches.Count} branch inputs, got {inputs.Length}.");
        using var scope = NewDisposeScope();
        var x = new Tensor[inputs.Length];
        for (int b = 0; b < x.Length; b++) x[b] = branches[b].call(inputs[b]);
        if (x.Length == 1) return [x[0].MoveToOuterDisposeScope()];

        var outputs = new Tensor[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            // Summed in branch order, as the reference does.
            Tensor? sum = null;
            for (int j = 0; j < x.Length; j++)
            {
                Tensor term;
                if (j == i) term = x[j];
                else if (j > i)
                    term = Resample.Like(fuse[i][j].call(x[j]), x[i]);
                else term = fuse[i][j].call(x[j]);
                sum = sum is null ? term : sum + term;
            }
            outputs[i] = nn.functional.relu(sum!).MoveToOuterDisposeScope();
        }
        return outputs;
    }

    /// <summary>ONNX export of <see cref="forward"/>.</summary>
    public OnnxValue[] Export(OnnxGraph g, OnnxValue[] inputs)
    {
        var x = inputs.Select((input, b) => branches[b].Export(g, input)).ToArray();
        if (x.Length == 1) return x;
        var outputs = new OnnxValue[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            OnnxValue? sum = null;
            for (int j = 0; j < x.Length; j++)
            {
                var term = j == i ? x[j]
                    : j > i ? g.ResizeLike(fuse[i][j].Export(g, x[j]), x[i], alignCorners: false)
                    : fuse[i][j].Export(g, x[j]);
                sum = sum is null ? term : sum + term;
            }
            outputs[i] = g.Relu(sum!);
        }
        return outputs;
    }
}
