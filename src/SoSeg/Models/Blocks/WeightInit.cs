using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.Blocks;

/// <summary>
/// Weight initialisers that TorchSharp lacks or gets wrong, and the Keras defaults U-Net++ uses.
/// TorchSharp 0.107.0's <c>nn.init.trunc_normal_</c> fills the tensor with the constant <c>std</c> instead
/// of drawing from a truncated normal (verified: every element equals std), which silently makes all
/// filters identical; use <see cref="TruncatedNormal"/> instead.
/// </summary>
public static class WeightInit
{
    /// <summary>
    /// Fills <paramref name="tensor"/> in place with N(mean, std^2) truncated to [a, b], by inverse-CDF
    /// sampling as PyTorch's <c>trunc_normal_</c>: uniform on [2 Phi(a') - 1, 2 Phi(b') - 1], erfinv,
    /// scale and shift, clamp. Draws from the global generator (seeded by <c>TorchRuntime.Seed</c>).
    /// </summary>
    public static Tensor TruncatedNormal(Tensor tensor, double mean, double std, double a, double b)
    {
        if (std <= 0) throw new ArgumentOutOfRangeException(nameof(std), $"truncated normal: std must be positive, got {std}.");
        if (a >= b) throw new ArgumentException($"truncated normal: the lower bound {a} must be below the upper bound {b}.");
        double lower = NormalCdf((a - mean) / std);
        double upper = NormalCdf((b - mean) / std);
        using var _ = no_grad();
        tensor.uniform_(2 * lower - 1, 2 * upper - 1);
        tensor.erfinv_();
        tensor.mul_(std * Math.Sqrt(2));
        tensor.add_(mean);
        tensor.clamp_(a, b);
        return tensor;
    }

    /// <summary>Keras <c>he_normal</c> (2.2): truncated normal, std sqrt(2 / fan_in), cut at +-2 std; bias zero.</summary>
    public static void HeNormal(PrecisionConv2d conv)
    {
        long fanIn = conv.weight!.shape[1] * conv.weight.shape[2] * conv.weight.shape[3];
        double std = Math.Sqrt(2.0 / fanIn);
        using var _ = no_grad();
        TruncatedNormal(conv.weight, 0, std, -2 * std, 2 * std);
        if (conv.bias is not null) nn.init.zeros_(conv.bias);
    }

    /// <summary>
    /// PyTorch's <c>kaiming_normal_(mode="fan_out", nonlinearity="relu")</c> on the weight of every Conv2d and
    /// ConvTranspose2d in <paramref name="module"/> except inside <paramref name="keepDefault"/> (each such module and
    /// everything in it keeps its initialisation): N(0, 2 / fan_out), fan_out = weight.shape[0] x kernel area (PyTorch's
    /// rule, also for grouped and transposed convolutions). Biases are kept.
    /// </summary>
    public static void KaimingNormalFanOut(nn.Module module, params nn.Module[] keepDefault)
    {
        using var _ = no_grad();
        Visit(module);

        void Visit(nn.Module current)
        {
            if (keepDefault.Any(k => ReferenceEquals(k, current))) return;
            var weight = current switch { PrecisionConv2d c => c.weight, PrecisionConvTranspose2d t => t.weight, Conv2d c => c.weight, ConvTranspose2d t => t.weight, _ => null };
            if (weight is not null)
            {
                long fanOut = weight.shape[0] * weight.shape[2] * weight.shape[3];
                weight.normal_(0, Math.Sqrt(2.0 / fanOut));
            }
            foreach (var (_, child) in current.named_children()) Visit(child);
        }
    }

    /// <summary>Keras <c>glorot_uniform</c> kernel and zero bias (the Conv2DTranspose defaults).</summary>
    public static void GlorotUniform(PrecisionConvTranspose2d conv)
    {
        using var _ = no_grad();
        nn.init.xavier_uniform_(conv.weight!);
        if (conv.bias is not null) nn.init.zeros_(conv.bias);
    }

    /// <summary>Standard normal CDF, Phi(x) = (1 + erf(x / sqrt 2)) / 2.</summary>
    static double NormalCdf(double x)
    {
        using var value = torch.tensor(x / Math.Sqrt(2), dtype: ScalarType.Float64);
        using var erf = value.erf();
        return (1 + erf.item<double>()) / 2;
    }
}
