using SoSeg.Models;
using static TorchSharp.torch;

namespace SoSeg.Losses;

/// <summary>
/// Deep supervision (as nnU-Net weighs it): the inner loss on the main logits with weight 1 and on side
/// output i (1-based, in the model's order) with weight 1/2^i, the weights normalised to sum to 1. A model
/// without side outputs is trained on its main logits alone, exactly as by the inner loss.
/// </summary>
public sealed class DeepSupervisionLoss(ISegmentationLoss inner) : ISegmentationLoss
{
    public string Name => inner.Name + "+ds";

    public bool UsesSideOutputs => true;

    public Tensor Compute(SegmentationOutput output, Tensor target)
    {
        using var scope = NewDisposeScope();
        var outputs = new[] { output.Logits }.Concat(output.SideOutputs).ToList();
        var weights = Enumerable.Range(0, outputs.Count).Select(i => Math.Pow(0.5, i)).ToArray();
        double total = weights.Sum();
        Tensor? loss = null;
        for (int i = 0; i < outputs.Count; i++)
        {
            var term = inner.Compute(new SegmentationOutput(outputs[i]), target) * (weights[i] / total);
            loss = loss is null ? term : loss + term;
        }
        return loss!.MoveToOuterDisposeScope();
    }
}
