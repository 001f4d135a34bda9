using static TorchSharp.torch;

namespace SoSeg.Models.Blocks;

/// <summary>
/// The reverse-attention weight of PraNet and CaraNet, generalised to K classes. The originals predict
/// one foreground logit <c>s</c> and weight features by <c>1 - sigmoid(s)</c>, steering each refinement
/// step to what the coarser map does not yet call foreground. With K-class logits the weight is
/// 1 - P(foreground) = P(background) = softmax(logits)[0]; for K = 2 this is exactly
/// <c>1 - sigmoid(l1 - l0)</c>, the original with the foreground logit <c>s = l1 - l0</c>.
/// </summary>
public static class ReverseAttention
{
    /// <summary>N x 1 x H x W weight in [0, 1] from N x K x H x W logits (class 0 = background).</summary>
    public static Tensor Weight(Tensor logits)
    {
        using var probabilities = logits.softmax(1);
        return probabilities[.., ..1];
    }
}
