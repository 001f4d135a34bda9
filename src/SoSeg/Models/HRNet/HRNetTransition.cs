using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.HRNet;

/// <summary>
/// The transition between HRNet stages (official <c>_make_transition_layer</c>): an existing branch
/// whose width changes gets a 3x3 conv-BN-ReLU (kept as is otherwise); each new, lower-resolution branch
/// is made from the previous stage's lowest-resolution output by stride-2 3x3 conv-BN-ReLU units (the
/// last maps to the new width).
/// </summary>
public sealed class HRNetTransition : nn.Module<Tensor[], Tensor[]>
{
    readonly ModuleList<nn.Module<Tensor, Tensor>> units;
    readonly int _previousBranches;

    public HRNetTransition(IReadOnlyList<long> previousWidths, IReadOnlyList<long> widths) : base(nameof(HRNetTransition))
    {
        if (widths.Count < previousWidths.Count)
            throw new ArgumentException("HRNet transition: a stage cannot have fewer branches than the previous one.");
        _previousBranches = previousWidths.Count;
        units = new ModuleList<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < widths.Count; i++)
        {
            if (i < previousWidths.Count)
            {
                units.Add(previousWidths[i] == widths[i]
                    ? nn.Identity()
                    : new ConvBnAct(previousWidths[i], widths[i], 3));
                continue;
            }
            long source = previousWidths[^1];
            var steps = new List<nn.Module<Tensor, Tensor>>();
            int count = i + 1 - previousWidths.Count;
            for (int k = 0; k < count; k++)
                steps.Add(new ConvBnAct(source, k == count - 1 ? widths[i] : source, 3, stride: 2));
            units.Add(nn.Sequential(steps));
        }
        RegisterComponents();
    }

    public override Tensor[] forward(Tensor[] inputs)
    {
        if (inputs.Length != _previousBranches)
            throw new ArgumentException($"HRNet transition: expected {_previousBranches} inputs, got {inputs.Length}.");
        var outputs = new Tensor[units.Count];
        for (int i = 0; i < units.Count; i++)
            outputs[i] = units[i].call(i < inputs.Length ? inputs[i] : inputs[^1]);
        return outputs;
    }

    /// <summary>ONNX export of <see cref="forward"/>.</summary>
    public OnnxValue[] Export(OnnxGraph g, OnnxValue[] inputs) =>
        Enumerable.Range(0, units.Count).Select(i => units[i].Export(g, i < inputs.Length ? inputs[i] : inputs[^1])).ToArray();
}
