using SoSeg.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Losses;

/// <summary>The paper's loss: pixel-wise cross-entropy over K classes on the main logits, ignore label 255.</summary>
public sealed class CrossEntropyLoss : ISegmentationLoss
{
    public string Name => "cross-entropy";

    public Tensor Compute(SegmentationOutput output, Tensor target) =>
        nn.functional.cross_entropy(output.Logits, target, ignore_index: ISegmentationLoss.IgnoreIndex);
}
