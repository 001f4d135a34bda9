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
