using SoSeg.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Losses;

/// <summary>
/// CFANet's loss (Zhou et al., Pattern Recognition 2023; released training code <c>mindspore/train.py</c>):
/// BCE on the edge map against the edge ground truth (<see cref="EdgeTargets"/>: dilation minus erosion of
/// the mask, computed here from the target instead of read from precomputed edge images) plus the
/// structure loss on the main map and every side output, all with weight 1. Ignored pixels (255) are left
/// out of the edge BCE.
/// </summary>
public sealed class EdgeStructureLoss : ISegmentationLoss
{
    readonly StructureLoss _structure;

    /// <param name="structure">Loss of the segmentation maps (CFANet: boundary-weighted BCE, as its MindSpore code).</param>
    /// <param name="edgeWeight">Weight of the edge BCE (1 in CFANet).</param>
    /// <param name="edgeKernel">Structuring element of the edge ground truth (3: a two-pixel band).</param>
    public EdgeStructureLoss(StructureLoss structure, double edgeWeight = 1, int edgeKernel = 3)
    {
        if (edgeWeight < 0) throw new ArgumentOutOfRangeException(nameof(edgeWeight), "Edge weight must not be negative.");
        if (edgeKernel < 3 || edgeKernel % 2 == 0) throw new ArgumentOutOfRangeException(nameof(edgeKernel), "Edge kernel must be odd and at least 3.");
        _structure = structure;
        EdgeWeight = edgeWeight;
        EdgeKernel = edgeKernel;
    }

    /// <summary>Weight of the edge term.</summary>
    public double EdgeWeight { get; }

    /// <summary>Side of the structuring element of the edge ground truth.</summary>
    public int EdgeKernel { get; }

    public string Name => $"edge BCE + {_structure.Name}";

    public bool UsesSideOutputs => true;

    public Tensor Compute(SegmentationOutput output, Tensor target)
    {
        if (output.Edge is null)
            throw new ArgumentException($"{Name}: the model returned no edge map; this loss is for models with an edge output (CFANet).");
        using var edgeTerm = EdgeLoss(output.Edge, target, output.Logits.shape[1]);
        using var structureTerm = _structure.Compute(output, target);
        return EdgeWeight * edgeTerm + structureTerm;
    }

    /// <summary>Mean BCE of edge logits N x 1 x H x W against the edge ground truth, over labelled pixels.</summary>
    public Tensor EdgeLoss(Tensor edgeLogits, Tensor target, long numClasses)
    {
        if (edgeLogits.dim() != 4 || edgeLogits.shape[1] != 1)
            throw new ArgumentException($"{Name}: expected edge logits N x 1 x H x W, got [{string.Join(", ", edgeLogits.shape)}].");
        LossTargets.Check(Name, edgeLogits, target);
        using var scope = torch.NewDisposeScope();
        var x = LossTargets.ToLossPrecision(edgeLogits);
        var edge = EdgeTargets.FromLabels(target, numClasses, EdgeKernel, x.dtype);
        var valid = target.ne(ISegmentationLoss.IgnoreIndex).unsqueeze(1).to(x.dtype);
        var bce = nn.functional.binary_cross_entropy_with_logits(x, edge, reduction: nn.Reduction.None) * valid;
        var loss = bce.sum() / valid.sum().clamp_min(1);
        if (loss.dtype != edgeLogits.dtype) loss = loss.to(edgeLogits.dtype);
        return loss.MoveToOuterDisposeScope();
    }
}
