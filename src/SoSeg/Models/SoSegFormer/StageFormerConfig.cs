namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// A StageFormer's local 3x3: depthwise separable with one BN + SiLU after the depthwise + pointwise pair (the paper
/// and ARCHITECTURES.md), the same with BN + SiLU after each of the two convolutions (an earlier SoSeg form), or a
/// full 3x3 conv (the authors' code).
/// </summary>
public enum LocalConvKind { DepthwiseSeparable, DepthwiseSeparableNormEach, Full }

/// <summary>How one StageFormer is built (everything but its channel count).</summary>
/// <param name="Attention">Token mixer of the transformer blocks.</param>
/// <param name="Heads">Heads of multi-head attention (ignored by linear attention); must divide the attention width C/2.</param>
/// <param name="Blocks">Transformer blocks (the paper: two).</param>
/// <param name="FfnRatio">FFN hidden width = round16(ratio x attention width).</param>
/// <param name="PatchSize">Side of the patches the feature map is unfolded into.</param>
/// <param name="LocalConv">Depthwise-separable or full 3x3 in the local path.</param>
/// <param name="SeRatio">Squeeze-excitation hidden width = max(round8(C x ratio), <paramref name="SeMinHidden"/>).</param>
/// <param name="SeMinHidden">Smallest squeeze-excitation hidden width.</param>
/// <param name="DropPath">Stochastic depth on the StageFormer's residual branch.</param>
/// <param name="BnEps">BatchNorm epsilon.</param>
public sealed record StageFormerConfig(
    AttentionKind Attention,
    int Heads,
    int Blocks,
    double FfnRatio,
    int PatchSize,
    LocalConvKind LocalConv,
    double SeRatio,
    int SeMinHidden,
    double DropPath,
    double BnEps);
