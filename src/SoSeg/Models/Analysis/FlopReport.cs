namespace SoSeg.Models.Analysis;

/// <summary>
/// What <see cref="FlopCounter"/> counted for one forward pass, in two conventions:
/// <list type="bullet">
/// <item><see cref="Macs"/>: fvcore's total, one "flop" per multiply-accumulate of convolutions, linear
/// layers and attention products, plus the per-element work of norms, adaptive pooling and interpolation.</item>
/// <item><see cref="Flops"/>: 2 x the multiply-accumulates of convolutions, linear layers and attention
/// products only (a multiply and an add counted separately; norms and resampling left out). This is the
/// convention of the PyTorch reference figure for SoSegFormer (643 GFLOPs at 512 x 512), and the
/// figure SoSeg reports as "GFLOPs".</item>
/// </list>
/// </summary>
/// <param name="Macs">fvcore-style total: products plus norms, pooling and interpolation.</param>
/// <param name="MacsByOperation">MACs per kind of operation (conv, conv-transpose, linear, attention, norm, pool, interpolate).</param>
/// <param name="MacsByModule">MACs per top-level part of the model (its direct children's field names; "(model)" is the model's own code).</param>
/// <param name="UnvisitedLayers">Convolution and linear layers that never ran in this pass: unused, or invoked with <c>forward</c> instead of <c>call</c> (which runs no hooks).</param>
public sealed record FlopReport(
    long Macs,
    IReadOnlyDictionary<string, long> MacsByOperation,
    IReadOnlyDictionary<string, long> MacsByModule,
    IReadOnlyList<string> UnvisitedLayers)
{
    /// <summary>Operations whose MACs are multiply-accumulates of a product (counted twice in <see cref="Flops"/>).</summary>
    public static IReadOnlySet<string> ProductOperations { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        FlopCounter.Operations.Convolution,
        FlopCounter.Operations.TransposedConvolution,
        FlopCounter.Operations.Linear,
        FlopCounter.Operations.Attention,
    };

    /// <summary>Multiply-accumulates of convolutions, linear layers and attention products.</summary>
    public long ProductMacs => MacsByOperation.Where(kv => ProductOperations.Contains(kv.Key)).Sum(kv => kv.Value);

    /// <summary>2 x <see cref="ProductMacs"/>.</summary>
    public long Flops => 2 * ProductMacs;

    /// <summary><see cref="Macs"/> in billions (fvcore "GFLOPs").</summary>
    public double GMacs => Macs / 1e9;

    /// <summary><see cref="Flops"/> in billions: the GFLOPs SoSeg reports.</summary>
    public double GFlops => Flops / 1e9;
}
