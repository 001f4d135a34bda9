namespace SoSeg.Models.SoSegFormer;

/// <summary>The token mixer of a StageFormer's transformer blocks, chosen per stage.</summary>
public enum AttentionKind
{
    /// <summary>
    /// MobileViTv2 separable self-attention (Mehta and Rastegari 2022): cost linear in the number of
    /// tokens, so it fits the high-resolution stages (the SoSegFormer authors' code uses it).
    /// </summary>
    Linear,

    /// <summary>Multi-head self-attention (scaled dot-product, quadratic in tokens), as the paper's "MHSA".</summary>
    MultiHead,
}

/// <summary>Option spellings of <see cref="AttentionKind"/>.</summary>
public static class AttentionKinds
{
    /// <summary>"linear" or "mhsa" (also "multihead").</summary>
    public static AttentionKind Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "linear" or "separable" => AttentionKind.Linear,
        "mhsa" or "multihead" or "multi-head" => AttentionKind.MultiHead,
        _ => throw new ArgumentException($"'{text}' is not an attention kind; use linear or mhsa."),
    };

    /// <summary>The option spelling.</summary>
    public static string Name(AttentionKind kind) => kind == AttentionKind.Linear ? "linear" : "mhsa";
}
