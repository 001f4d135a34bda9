using static TorchSharp.torch;

namespace SoSeg.Models;

/// <summary>
/// A training loss over a model's output (its implementations live in <c>SoSeg.Losses</c>; a model's
/// registration may name the one its paper trains with). Targets are class indices N x H x W (int64); <see cref="IgnoreIndex"/> marks
/// pixels that carry no label (crop padding), which no loss may count.
/// </summary>
public interface ISegmentationLoss
{
    /// <summary>Pixels with this target value are ignored.</summary>
    public const long IgnoreIndex = 255;

    /// <summary>Short name shown in logs and config.json.</summary>
    string Name { get; }

    /// <summary>Whether the loss reads side outputs or the edge map, so training must ask the model for them.</summary>
    bool UsesSideOutputs => false;

    /// <summary>Scalar loss for one batch.</summary>
    Tensor Compute(SegmentationOutput output, Tensor target);
}
