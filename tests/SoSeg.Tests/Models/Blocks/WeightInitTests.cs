using SoSeg.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Tests.Models.Blocks;

public class WeightInitTests
{
    [Fact]
    public void Truncated_normal_draws_within_bounds_with_the_truncated_spread()
    {
        using var scope = NewDisposeScope();
        var t = WeightInit.TruncatedNormal(empty(200, 100), 0, 0.5, -1, 1);
        Assert.True(t.min().item<float>() >= -1 && t.max().item<float>() <= 1);
        // A normal cut at +-2 sigma keeps sigma * sqrt(1 - 4 phi(2) / (2 Phi(2) - 1)) = 0.8796 sigma.
        // 20,000 draws: the standard error is ~0.0022 for the std and ~0.0031 for the mean; allow about 5 of them.
        Assert.Equal(0.5 * 0.8796, t.std().item<float>(), 0.011);
        Assert.Equal(0, t.mean().item<float>(), 0.016);
        Assert.True(t.unique().Item1.shape[0] > 19_000, "values must not repeat (TorchSharp's trunc_normal_ fills a constant)");
    }

    [Fact]
    public void Bad_bounds_are_rejected()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => WeightInit.TruncatedNormal(empty(3), 0, 1, 1, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightInit.TruncatedNormal(empty(3), 0, 0, -1, 1));
    }
}
