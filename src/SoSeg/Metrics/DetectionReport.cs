namespace SoSeg.Metrics;

/// <summary>
/// Object-level detection by size: ground-truth objects found or missed, predicted objects that are false
/// positives, per cumulative size bin (by each object's own area ratio), overall and per foreground class.
/// </summary>
public sealed record DetectionReport
{
    /// <summary>The matching threshold used (0 = any overlapping pixel finds an object).</summary>
    public required double MinIoU { get; init; }
    /// <summary>Smallest and largest ground-truth object area ratio seen (Table I's "object area ratio"); null without objects.</summary>
    public double? ObjectAreaRatioMin { get; init; }
    public double? ObjectAreaRatioMax { get; init; }
    /// <summary>"ultra-small", "small", "all", cumulative like Table I's object counts.</summary>
    public required IReadOnlyList<DetectionBin> Bins { get; init; }
}

/// <summary>Detection counts of one size bin.</summary>
public sealed record DetectionBin
{
    public required string Name { get; init; }
    /// <summary>Objects with an area ratio below this; null for "all".</summary>
    public double? AreaRatioBelow { get; init; }
    /// <summary>Summed over the foreground classes.</summary>
    public required DetectionCounts Overall { get; init; }
    public required IReadOnlyList<ClassDetectionCounts> Classes { get; init; }
}

/// <summary>Object counts and the detection recall and precision they give.</summary>
public sealed record DetectionCounts
{
    public required long GroundTruthObjects { get; init; }
    public required long Found { get; init; }
    public long Missed => GroundTruthObjects - Found;
    /// <summary>Found / ground-truth objects; null without objects.</summary>
    public double? Recall => GroundTruthObjects > 0 ? (double)Found / GroundTruthObjects : null;
    public required long PredictedObjects { get; init; }
    /// <summary>Predicted objects touching a found ground-truth object of their class.</summary>
    public required long TruePositivePredictions { get; init; }
    public long FalsePositives => PredictedObjects - TruePositivePredictions;
    /// <summary>True-positive predictions / predicted objects (binned by the predicted object's own area); null without predictions.</summary>
    public double? Precision => PredictedObjects > 0 ? (double)TruePositivePredictions / PredictedObjects : null;
}

/// <summary>Detection counts of one foreground class.</summary>
public sealed record ClassDetectionCounts
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public required DetectionCounts Counts { get; init; }
}
