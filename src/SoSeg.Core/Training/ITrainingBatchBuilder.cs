using SoSeg.Data;
using static TorchSharp.torch;

namespace SoSeg.Training;

/// <summary>Turns loaded samples into one training batch on the device (crop, augment, stack).</summary>
public interface ITrainingBatchBuilder
{
    /// <summary>Images N x C x S x S (float) and masks N x S x S (int64, 255 = ignore) on <paramref name="device"/>.</summary>
    (Tensor Images, Tensor Masks) Build(IReadOnlyList<SegmentationSample> samples, Device device, Generator generator);
}
