using SoSeg.Models;
using static TorchSharp.torch;

namespace SoSeg.Training.Losses;

/// <summary>
/// A training loss. Targets are class indices N x H x W (int64); <see cref="IgnoreIndex"/> marks
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
