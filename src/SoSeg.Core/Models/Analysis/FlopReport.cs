namespace SoSeg.Models.Analysis;

/// <summary>
/// What <see cref="FlopCounter"/> counted for one forward pass. <see cref="Macs"/> follows fvcore's
/// convention (one multiply-accumulate = one "flop"); <see cref="Flops"/> is 2 x MACs, the convention of
/// papers that count a multiply and an add separately.
/// </summary>
/// <param name="Macs">Multiply-accumulates of the whole pass.</param>
/// <param name="MacsByOperation">MACs per kind of operation (conv, conv-transpose, linear, norm, pool, interpolate, attention).</param>
/// <param name="MacsByModule">MACs per top-level part of the model (its direct children's field names).</param>
/// <param name="UnvisitedLayers">Convolution and linear layers that never ran in this pass: unused, or invoked with <c>forward</c> instead of <c>call</c> (which runs no hooks).</param>
public sealed record FlopReport(
    long Macs,
    IReadOnlyDictionary<string, long> MacsByOperation,
    IReadOnlyDictionary<string, long> MacsByModule,
    IReadOnlyList<string> UnvisitedLayers)
{
    /// <summary>2 x <see cref="Macs"/>.</summary>
    public long Flops => 2 * Macs;

    /// <summary>Giga-MACs (fvcore "GFLOPs").</summary>
    public double GMacs => Macs / 1e9;

    /// <summary>Giga-FLOPs counting multiply and add separately (2 x MACs).</summary>
    public double GFlops => Flops / 1e9;
}
