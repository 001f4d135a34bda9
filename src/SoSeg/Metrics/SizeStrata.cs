namespace SoSeg.Metrics;

/// <summary>
/// The paper's cumulative size strata: ultra-small (area ratio below 1 %) ⊂ small (below 10 %) ⊂ all.
/// Objects fall in a stratum by their own area ratio; images by the ratio of their largest object.
/// </summary>
public static class SizeStrata
{
    public const int UltraSmall = 0;
    public const int Small = 1;
    public const int All = 2;
    public const int Count = 3;

    public static readonly string[] Names = ["ultra-small", "small", "all"];

    /// <summary>Index of the narrowest stratum holding an object of this area ratio (strict "below", as the authors' <c>AreaRatios &lt; r</c>).</summary>
    public static int Narrowest(double areaRatio, EvaluationOptions options) =>
        areaRatio < options.UltraSmallAreaRatio ? UltraSmall : areaRatio < options.SmallAreaRatio ? Small : All;

    /// <summary>The area-ratio bound of a stratum, or null for "all".</summary>
    public static double? Bound(int stratum, EvaluationOptions options) => stratum switch
    {
        UltraSmall => options.UltraSmallAreaRatio,
        Small => options.SmallAreaRatio,
        _ => null,
    };
}
