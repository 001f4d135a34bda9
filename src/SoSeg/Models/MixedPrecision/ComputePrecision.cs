using SoSeg.Runtime;
using static TorchSharp.torch;

namespace SoSeg.Models.MixedPrecision;

/// <summary>
/// The precision policy a model's forward runs under (PyTorch's autocast, done by SoSeg's layers):
/// while a <see cref="SegmentationModel"/> with <see cref="Precision.Bf16"/> runs its forward,
/// <see cref="PrecisionLayers"/> (convolutions, linear layers) cast their input and their float32
/// weights to bfloat16, so attention on their outputs runs in bfloat16 too; softmaxes go through
/// <see cref="Softmax"/> (float32), norms keep float32 parameters and statistics (libtorch's
/// mixed-type norm kernels accumulate in float32), and the model's outputs come back as float32 for
/// the loss and the metrics. Per thread: a forward runs on one thread.
/// </summary>
public static class ComputePrecision
{
    [ThreadStatic] static ScalarType? _reduced;

    /// <summary>The type convolutions and linear layers compute in now: bfloat16 inside a bf16 forward, null (their own type) otherwise.</summary>
    public static ScalarType? ReducedType => _reduced;

    /// <summary>Makes <paramref name="precision"/> the policy on this thread until the result is disposed.</summary>
    public static Scope Enter(Precision precision) => new(precision == Precision.Bf16 ? ScalarType.BFloat16 : null);

    /// <summary>Softmax over <paramref name="dim"/>; inside a mixed-precision forward computed and returned in float32.</summary>
    public static Tensor Softmax(Tensor input, long dim) =>
        Promotes(input) ? input.softmax(dim, ScalarType.Float32) : input.softmax(dim);

    /// <summary>Inside a mixed-precision forward, <paramref name="input"/> as float32; else itself (a model converted to bfloat16 as a whole stays so).</summary>
    public static Tensor ToFull(Tensor input) => Promotes(input) ? input.to(ScalarType.Float32) : input;

    static bool Promotes(Tensor input) => _reduced is not null && input.dtype == _reduced;

    /// <summary><paramref name="input"/> in the current reduced type, or itself when none is set or it is not floating point.</summary>
    public static Tensor ToCompute(Tensor input) =>
        _reduced is { } type && input.dtype != type && input.is_floating_point() ? input.to(type) : input;

    /// <summary>Restores the previous policy when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        readonly ScalarType? _previous;

        internal Scope(ScalarType? reduced)
        {
            _previous = _reduced;
            _reduced = reduced;
        }

        public void Dispose() => _reduced = _previous;
    }
}
