using System.Text.Json.Serialization;

namespace SoSeg.Metrics;

/// <summary>
/// The metrics of one subset of the evaluated images: a size stratum ("ultra-small", "small", "all") or a
/// group (hospital centre, volume), in both protocols. Undefined values are null.
/// </summary>
public sealed record SubsetReport
{
    /// <summary>"ultra-small", "small", "all", or the group name.</summary>
    public required string Name { get; init; }
    /// <summary>Images whose largest ground-truth object has an area ratio below this; null for "all" and groups.</summary>
    public double? AreaRatioBelow { get; init; }
    public required long ImageCount { get; init; }
    /// <summary>Images of the subset with at least one ground-truth object.</summary>
    public required long ImagesWithObjects { get; init; }
    /// <summary>Protocol (a), the authors': dataset-level sums over the subset's images.</summary>
    public required DatasetLevelMetrics Dataset { get; init; }
    /// <summary>Protocol (b), the polyp benchmark: per-image scores averaged over the subset's images.</summary>
    public required PerImageMetrics PerImage { get; init; }
}

/// <summary>
/// Authors' protocol (SvANet <c>lib/metrics/maskRegion.py</c>, <c>lib/trainer/statistics.py</c>): per class c
/// (background included) I, P, G summed over the images; IoU = I/(P+G-I), Dice = 2I/(P+G), Precision = I/P,
/// Recall = I/G, F2 = 5PR/(4P+R); m-values weight class c by the number of images whose ground truth contains c.
/// </summary>
public sealed record DatasetLevelMetrics
{
    public required IReadOnlyList<ClassMetrics> Classes { get; init; }
    /// <summary>The paper's m-values: classes weighted by the images containing them (authors' "micro"), background included.</summary>
    public required MetricMeans Weighted { get; init; }
    /// <summary>Plain mean over the classes with a defined value (background included).</summary>
    public required MetricMeans Unweighted { get; init; }
    /// <summary>Like <see cref="Weighted"/> over the foreground classes only (for K = 2, the foreground class itself).</summary>
    public required MetricMeans Foreground { get; init; }
    /// <summary>Mean over non-ignored pixels of |predicted class index - label class index| (the authors' computeAE on the argmax).</summary>
    public double? Mae { get; init; }
    /// <summary><see cref="Mae"/> divided by the subset's image count, as the authors' <c>tools/tinyObjectsValidation.py</c> reports it (the scale of the paper's "MAE ×10⁻⁴").</summary>
    public double? MaeDividedByImageCount { get; init; }
    public required long EvaluatedPixels { get; init; }
}

/// <summary>Dataset-level figures of one class.</summary>
public sealed record ClassMetrics
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public required long Intersection { get; init; }
    public required long Union { get; init; }
    public required long Predicted { get; init; }
    public required long GroundTruth { get; init; }
    /// <summary>Images whose ground truth holds at least one pixel of this class: the class's weight in the m-values.</summary>
    public required long ImagesContaining { get; init; }
    [JsonPropertyName("iou")]
    public double? IoU { get; init; }
    public double? Dice { get; init; }
    public double? Precision { get; init; }
    public double? Recall { get; init; }
    public double? F2 { get; init; }
}

/// <summary>Means of the five overlap metrics over classes.</summary>
public sealed record MetricMeans
{
    [JsonPropertyName("iou")]
    public double? IoU { get; init; }
    public double? Dice { get; init; }
    public double? Precision { get; init; }
    public double? Recall { get; init; }
    public double? F2 { get; init; }
}

/// <summary>Polyp-benchmark protocol: per-image scores averaged over images, for the foreground union and, when K > 2, per class.</summary>
public sealed record PerImageMetrics
{
    public required PerImageMeans Foreground { get; init; }
    /// <summary>Foreground classes 1..K-1 when K > 2; empty for K = 2 (the foreground is the class).</summary>
    public required IReadOnlyList<ClassPerImageMeans> Classes { get; init; }
}

/// <summary>
/// Means over images of per-image scores (images whose score is undefined are left out). Dice..F2 use the
/// predicted class map (the fixed 0.5 threshold of a two-class softmax); MAE uses the continuous map when
/// probabilities were given, else the binary map; the threshold figures need probabilities.
/// </summary>
public sealed record PerImageMeans
{
    public double? Dice { get; init; }
    [JsonPropertyName("iou")]
    public double? IoU { get; init; }
    public double? Precision { get; init; }
    public double? Recall { get; init; }
    public double? F2 { get; init; }
    public double? Mae { get; init; }
    /// <summary>Images with a defined Dice (the others had nothing to score under <see cref="EmptyCasePolicy.Exclude"/>).</summary>
    public required long ScoredImages { get; init; }
    /// <summary>PraNet's meanDic: the mean over the 256 thresholds of the mean Dice over images at that threshold.</summary>
    public double? MeanDiceOverThresholds { get; init; }
    public double? MeanIoUOverThresholds { get; init; }
    /// <summary>PraNet's maxDic: the best threshold's mean Dice over images.</summary>
    public double? MaxDiceOverThresholds { get; init; }
    public double? MaxIoUOverThresholds { get; init; }
}

/// <summary>Per-image means of one foreground class.</summary>
public sealed record ClassPerImageMeans
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public required PerImageMeans Means { get; init; }
}
