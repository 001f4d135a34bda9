using System.Text.Json.Serialization;

namespace SoSeg.Metrics;

/// <summary>
/// Everything a <see cref="SegmentationEvaluator"/> computed: both protocols per size stratum and per group,
/// object-level detection by size, and the per-image rows. Serialises to metrics.json with
/// <see cref="MetricsWriter"/>; the per-image rows go to the CSV instead of the JSON.
/// </summary>
public sealed record EvaluationReport
{
    public int SchemaVersion { get; init; } = 1;
    public required IReadOnlyList<string> ClassNames { get; init; }
    public required EvaluationOptions Options { get; init; }
    public required long ImageCount { get; init; }
    /// <summary>"probabilities" when per-class probabilities were given (continuous MAE, threshold sweep), else "class map".</summary>
    public required string ContinuousMapSource { get; init; }
    /// <summary>"ultra-small", "small", "all", in this order.</summary>
    public required IReadOnlyList<SubsetReport> Strata { get; init; }
    /// <summary>One entry per group (centre, volume) in order of first appearance, all sizes; empty when no image had a group.</summary>
    public required IReadOnlyList<SubsetReport> Groups { get; init; }
    public required DetectionReport Objects { get; init; }
    /// <summary>Per-image rows in the order the images were added (written to the CSV, not to the JSON).</summary>
    [JsonIgnore]
    public IReadOnlyList<ImageResult> Images { get; init; } = [];

    /// <summary>The stratum of this name ("ultra-small", "small", "all").</summary>
    public SubsetReport Stratum(string name) =>
        Strata.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"No stratum '{name}'; strata are {string.Join(", ", Strata.Select(s => s.Name))}.");
}
