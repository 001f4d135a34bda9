using static TorchSharp.torch;

namespace SoSeg.Models;

/// <summary>
/// What a model returns in training: logits N x K x H x W at the input size, plus side outputs some
/// models supervise with their own loss (deep supervision heads, reverse-attention maps: each
/// N x K x H x W at the input size) and an optional edge map (N x 1 x H x W logits, CFANet).
/// </summary>
public sealed record SegmentationOutput(Tensor Logits, IReadOnlyList<Tensor> SideOutputs, Tensor? Edge = null)
{
    public SegmentationOutput(Tensor logits) : this(logits, Array.Empty<Tensor>()) { }
}
