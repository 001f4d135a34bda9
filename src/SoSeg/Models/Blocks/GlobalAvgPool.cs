using SoSeg.Models.Analysis;
using static TorchSharp.torch;

namespace SoSeg.Models.Blocks;

/// <summary>Functional global average pooling that reports its cost to an active <see cref="FlopCounter"/>.</summary>
public static class GlobalAvgPool
{
    /// <summary>N x C x H x W -> N x C x 1 x 1 (one addition per input element, as fvcore counts it).</summary>
    public static Tensor Apply(Tensor x)
    {
        var pooled = nn.functional.adaptive_avg_pool2d(x, 1);
        FlopCounter.Add(FlopCounter.Operations.Pooling, x.numel());
        return pooled;
    }
}
