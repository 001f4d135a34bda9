using SoSeg.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// Cross-scale feature instruction (paper Sec. II-B, eq. 1): every earlier, higher-resolution branch b
/// is brought to stage t by a <see cref="CrossScaleLink"/> and added, R'_t = R_t + sum_{b&lt;t} f_bt(R_b).
/// Link b -> t has stochastic depth rate x (b - 1) / branches (the authors' schedule: the first
/// branch's links are never dropped).
/// </summary>
public sealed class CrossScaleInstruction : nn.Module<Tensor[], Tensor[]>
{
    // Registered as submodules named "1to2", "1to3", ... rather than through a ModuleDict: TorchSharp
    // 0.107 cannot move a ModuleDict to another device or dtype (its two indexers collide in Module.to).
    readonly Dictionary<string, CrossScaleLink> _links = new(StringComparer.Ordinal);
    readonly CrossScaleMode _mode;
    readonly int _branches;

    /// <param name="channels">C_1..C_n of the branches, highest resolution first (each the next one's resolution x 2).</param>
    /// <param name="mode">Parallel (eq. 1) or cascade (the authors' code).</param>
    /// <param name="dropPathRate">Largest stochastic depth rate.</param>
    /// <param name="bnEps">BatchNorm epsilon.</param>
    public CrossScaleInstruction(IReadOnlyList<long> channels, CrossScaleMode mode, double dropPathRate, double bnEps)
        : base(nameof(CrossScaleInstruction))
    {
        _mode = mode;
        _branches = channels.Count;
        for (int b = 0; b < _branches; b++)
        {
            for (int t = b + 1; t < _branches; t++)
            {
                var link = new CrossScaleLink(channels[b], channels[t], t - b, dropPathRate * b / _branches, bnEps);
                _links[Key(b, t)] = link;
                register_module(Key(b, t), link);
            }
        }
    }

    /// <summary>State-dict name of link b -> t (1-based stages): "1to3" brings branch 1 to stage 3.</summary>
    static string Key(int b, int t) => $"{b + 1}to{t + 1}";

    /// <summary>R_1..R_n in, R'_1..R'_n out (R'_1 = R_1).</summary>
    public override Tensor[] forward(Tensor[] branches)
    {
        if (branches.Length != _branches)
            throw new ArgumentException($"Cross-scale instruction was built for {_branches} branches, got {branches.Length}.");
        var instructed = branches.Select(r => r.alias()).ToArray();
        for (int t = 1; t < _branches; t++)
        {
            for (int b = 0; b < t; b++)
            {
                // Parallel reads the un-instructed R_b (eq. 1); cascade reads R'_b, complete because b < t was finished first.
                var source = _mode == CrossScaleMode.Parallel ? branches[b] : instructed[b];
                using var contribution = _links[Key(b, t)].call(source);
                var sum = instructed[t] + contribution;
                instructed[t].Dispose();
                instructed[t] = sum;
            }
        }
        return instructed;
    }

    /// <summary>ONNX export of <see cref="forward"/>.</summary>
    public OnnxValue[] Export(OnnxGraph g, OnnxValue[] branches)
    {
        var instructed = branches.ToArray();
        for (int t = 1; t < _branches; t++)
            for (int b = 0; b < t; b++)
                instructed[t] = instructed[t] + _links[Key(b, t)].Export(g, _mode == CrossScaleMode.Parallel ? branches[b] : instructed[b]);
        return instructed;
    }
}
