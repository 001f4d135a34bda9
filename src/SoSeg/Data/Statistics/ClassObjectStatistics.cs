namespace SoSeg.Data.Statistics;

/// <summary>Objects (connected components) of one class, or of all foreground classes, over a dataset.</summary>
/// <param name="ClassIndex">Class index, or -1 for all foreground classes together.</param>
/// <param name="Name">Class name, or "all".</param>
/// <param name="Objects">Number of objects.</param>
/// <param name="UltraSmall">Objects with area ratio below 1%.</param>
/// <param name="Small">Objects with area ratio below 10% (ultra-small included).</param>
/// <param name="MinAreaRatio">Smallest object's area ratio (0..1), or null without objects.</param>
/// <param name="MaxAreaRatio">Largest object's area ratio (0..1), or null without objects.</param>
/// <param name="Images">Images (slices) holding at least one object.</param>
public sealed record ClassObjectStatistics(int ClassIndex, string Name, long Objects, long UltraSmall, long Small,
    double? MinAreaRatio, double? MaxAreaRatio, long Images);
