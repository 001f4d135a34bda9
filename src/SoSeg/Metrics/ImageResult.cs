using System.Text.Json.Serialization;

namespace SoSeg.Metrics;

/// <summary>What one evaluated image scored: a row of the per-image CSV.</summary>
public sealed record ImageResult
{
    public required string Id { get; init; }
    public string? Group { get; init; }
    public required int Height { get; init; }
    public required int Width { get; init; }
    public required long IgnoredPixels { get; init; }
    /// <summary>Area ratio of the largest ground-truth object (0 without objects): decides the image's strata.</summary>
    public required double LargestObjectAreaRatio { get; init; }
    /// <summary>The narrowest size stratum holding the image ("ultra-small" ⊂ "small" ⊂ "all").</summary>
    public required string Stratum { get; init; }
    /// <summary>Per-image scores of the foreground union (polyp-benchmark protocol).</summary>
    public required ImageScores Foreground { get; init; }
    /// <summary>Per-class scores of the foreground classes when K > 2; empty for K = 2.</summary>
    public required IReadOnlyList<ImageClassScores> Classes { get; init; }
    /// <summary>Mean |predicted class index - label class index| over the non-ignored pixels (the authors' MAE of this image).</summary>
    public double? ClassIndexMae { get; init; }
    public required ImageObjectCounts Objects { get; init; }
}

/// <summary>Per-image scores; null where undefined.</summary>
public sealed record ImageScores
{
    public double? Dice { get; init; }
    [JsonPropertyName("iou")]
    public double? IoU { get; init; }
    public double? Precision { get; init; }
    public double? Recall { get; init; }
    public double? F2 { get; init; }
    public double? Mae { get; init; }
    /// <summary>Mean over the 256 thresholds of this image's Dice (needs probabilities).</summary>
    public double? MeanDiceOverThresholds { get; init; }
}

/// <summary>Per-image scores of one foreground class.</summary>
public sealed record ImageClassScores
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public required ImageScores Scores { get; init; }
}

/// <summary>Objects of one image, all foreground classes together.</summary>
public sealed record ImageObjectCounts
{
    public required long GroundTruthObjects { get; init; }
    public required long UltraSmallObjects { get; init; }
    public required long SmallObjects { get; init; }
    public required long Found { get; init; }
    public required long FoundUltraSmall { get; init; }
    public required long FoundSmall { get; init; }
    public long Missed => GroundTruthObjects - Found;
    public required long PredictedObjects { get; init; }
    public required long FalsePositives { get; init; }
}
