namespace SoSeg.Metrics;

/// <summary>
/// Settings of a <see cref="SegmentationEvaluator"/>. The defaults reproduce the paper's strata (1 % and 10 %
/// of the image area) and the conventions documented in docs/metrics.md.
/// </summary>
public sealed record EvaluationOptions
{
    /// <summary>Area ratio (object pixels / image pixels) below which an object is ultra-small. Paper: 1 %.</summary>
    public double UltraSmallAreaRatio { get; init; } = 0.01;

    /// <summary>Area ratio below which an object is small. Paper: 10 %.</summary>
    public double SmallAreaRatio { get; init; } = 0.10;

    /// <summary>Strata of the images without any ground-truth object.</summary>
    public EmptyImageStrata EmptyImages { get; init; } = EmptyImageStrata.AllStrata;

    /// <summary>Per-image score when neither prediction nor ground truth holds the class.</summary>
    public EmptyCasePolicy EmptyCase { get; init; } = EmptyCasePolicy.Exclude;

    /// <summary>
    /// A ground-truth object is found when the predicted pixels of its class overlap it and the IoU between the
    /// object and the predicted components touching it is at least this value. 0 = any overlapping pixel.
    /// </summary>
    public double DetectionMinIoU { get; init; }

    /// <summary>
    /// Min-max normalise each image's continuous map before the threshold sweep and its MAE, as PraNet's
    /// <c>eval/main.m</c> does (<c>mapminmax</c>). A constant map is left as it is.
    /// </summary>
    public bool NormalizeContinuousMap { get; init; } = true;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (!(UltraSmallAreaRatio > 0 && UltraSmallAreaRatio < SmallAreaRatio && SmallAreaRatio <= 1))
            throw new ArgumentException($"Size thresholds must satisfy 0 < ultra-small ({UltraSmallAreaRatio}) < small ({SmallAreaRatio}) <= 1.");
        if (!(DetectionMinIoU >= 0 && DetectionMinIoU <= 1))
            throw new ArgumentException($"DetectionMinIoU must lie in [0, 1], got {DetectionMinIoU}.");
        if (!Enum.IsDefined(EmptyCase)) throw new ArgumentException($"Unknown empty-case policy {EmptyCase}.");
        if (!Enum.IsDefined(EmptyImages)) throw new ArgumentException($"Unknown empty-image strata {EmptyImages}.");
    }
}
