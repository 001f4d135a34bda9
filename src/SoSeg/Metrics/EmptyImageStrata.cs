using System.Text.Json.Serialization;

namespace SoSeg.Metrics;

/// <summary>Which size strata hold the images whose ground truth has no object at all.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EmptyImageStrata>))]
public enum EmptyImageStrata
{
    /// <summary>
    /// Every stratum, as the authors' <c>tools/tinyObjectsValidation.py</c> (SvANet) does: an empty image has a
    /// largest-object ratio of 0, below every threshold. Default. Such images test false positives.
    /// </summary>
    AllStrata,
    /// <summary>Only "all": the small-object strata then hold only images that contain an object.</summary>
    OnlyAll,
}
