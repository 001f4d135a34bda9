namespace SoSeg.Data.Statistics;

/// <summary>
/// The paper's object-size strata (Table I, Table II): an object's area ratio is its pixels over the image's
/// pixels; below 1% it is ultra-small, below 10% small (which includes ultra-small), and "all" is every object.
/// </summary>
public static class ObjectSize
{
    /// <summary>Area ratio below which an object is ultra-small (1%).</summary>
    public const double UltraSmallRatio = 0.01;
    /// <summary>Area ratio below which an object is small (10%).</summary>
    public const double SmallRatio = 0.10;

    public static bool IsUltraSmall(double areaRatio) => areaRatio < UltraSmallRatio;
    public static bool IsSmall(double areaRatio) => areaRatio < SmallRatio;
}
