namespace SoSeg.Runtime;

/// <summary>
/// Arithmetic a model computes in. <see cref="Fp32"/>: full float32. <see cref="Tf32"/>: float32 with
/// CUDA's TF32 matrix units (10-bit mantissa products, float32 accumulation; the same as fp32 on the
/// CPU). <see cref="Bf16"/>: mixed precision: convolutions, linear layers and attention in bfloat16;
/// float32 master weights, optimizer state, normalisation statistics, softmax, loss and metrics.
/// </summary>
public enum Precision { Fp32, Tf32, Bf16 }

/// <summary>Names of <see cref="Precision"/> on the command line and in saved settings.</summary>
public static class PrecisionNames
{
    public static readonly IReadOnlyList<string> All = ["fp32", "tf32", "bf16"];

    public static string Name(this Precision precision) => All[(int)precision];

    /// <summary>Parses fp32, tf32 or bf16 (any case); throws an <see cref="ArgumentException"/> naming the option otherwise.</summary>
    public static Precision Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "fp32" => Precision.Fp32,
        "tf32" => Precision.Tf32,
        "bf16" => Precision.Bf16,
        _ => throw SettingError.Invalid("Precision", $"must be fp32, tf32 or bf16 (got '{text}')."),
    };

    /// <summary>Whether CUDA matrix products may use TF32 (fp32 turns it off; bf16 keeps it for what stays float32).</summary>
    public static bool AllowsTf32(this Precision precision) => precision != Precision.Fp32;
}
