using SoSeg.Models.MixedPrecision;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Models.Blocks;

/// <summary>Activations the building blocks offer.</summary>
public enum Activation { None, ReLU, SiLU, PReLU }

public static class Activations
{
    /// <summary>A fresh activation module, or null for <see cref="Activation.None"/>.</summary>
    public static nn.Module<Tensor, Tensor>? Create(Activation activation, int channels = 1) => activation switch
    {
        Activation.None => null,
        Activation.ReLU => nn.ReLU(inplace: true),
        Activation.SiLU => nn.SiLU(),
        // PReLU with one slope per channel, as CaraNet's BN-PReLU units use.
        Activation.PReLU => new PrecisionPReLU(channels),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };
}
