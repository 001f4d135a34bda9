using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.Blocks;

/// <summary>
/// BatchNorm2d with TorchSharp's parameters, buffers, state-dict names and arithmetic, whose training step counts the
/// batch without temporary Scalars. TorchSharp's BatchNorm.forward calls <c>num_batches_tracked.add_(1)</c>: the two
/// implicit Scalars (value and alpha) are unreachable once their native handles are read, so a garbage collection
/// started by another thread (the data loader decoding the next batch) can finalize and free them while libtorch still
/// reads them. Training then stopped at random, hundreds of steps in, with "Unknown scalar type". These Scalars live
/// as long as the process.
/// </summary>
public sealed class StableBatchNorm2d : BatchNorm
{
    static readonly Scalar One = 1L;

    public StableBatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1)
        : base(features, eps, momentum, affine: true, track_running_stats: true, device: null, dtype: null, name: "BatchNorm2d")
    {
    }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"BatchNorm2d expects N x C x H x W input, got {input.ndim} dimensions.");
    }

    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        double factor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(One, One);
            if (momentum is null) factor = 1.0 / num_batches_tracked.item<long>();
        }
        bool batchStatistics = training || (running_mean is null && running_var is null);
        bool passRunning = !training || track_running_stats;
        return nn.functional.batch_norm(input, passRunning ? running_mean : null, passRunning ? running_var : null, weight, bias,
                                        batchStatistics, factor, eps);
    }
}
