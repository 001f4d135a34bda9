namespace SoSeg.Data.Datasets;

/// <summary>How a dataset folder is opened, sliced, normalised and split. The defaults suit all three paper datasets.</summary>
public sealed record DatasetOptions
{
    /// <summary>The folder layout, or <see cref="DatasetLayout.Auto"/> to detect it.</summary>
    public DatasetLayout Layout { get; init; } = DatasetLayout.Auto;

    /// <summary>Leave out volume slices without any foreground label when listing items (test items keep every slice unless asked).</summary>
    public bool DropEmptySlices { get; init; }

    /// <summary>Lower percentile of a volume's intensities clipped to 0 (per volume and channel).</summary>
    public double LowerPercentile { get; init; } = 0.5;

    /// <summary>Upper percentile of a volume's intensities clipped to 1.</summary>
    public double UpperPercentile { get; init; } = 99.5;

    /// <summary>Fraction of cases held out for testing when the layout gives no test set (PolypGen, ATLAS, images/masks).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Fraction of training cases used for validation by a single (non k-fold) split.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Seed of the test hold-out and of train/validation splits.</summary>
    public int SplitSeed { get; init; } = 42;

    /// <summary>Where splits_final.json and test_split.json live; null = the dataset folder.</summary>
    public string? SplitsFolder { get; init; }

    /// <summary>Memory for decoded volumes kept between slice loads (least recently used volumes are dropped first).</summary>
    public long VolumeCacheBytes { get; init; } = 2L << 30;

    /// <summary>PolypGen: also read sequenceData/positive/seqN (video frames); the paper's 1537 images are the single frames only.</summary>
    public bool IncludePolypGenSequences { get; init; }

    public void Validate()
    {
        if (!(LowerPercentile >= 0 && LowerPercentile < UpperPercentile && UpperPercentile <= 100))
            throw new SoSegException($"Percentiles {LowerPercentile} and {UpperPercentile} must satisfy 0 <= lower < upper <= 100.");
        if (!(TestFraction >= 0 && TestFraction < 1)) throw SettingError.Naming(new SoSegException($"TestFraction must be in [0, 1) (got {TestFraction})."), nameof(TestFraction));
        if (!(ValidationFraction > 0 && ValidationFraction < 1)) throw SettingError.Naming(new SoSegException($"ValidationFraction must be in (0, 1) (got {ValidationFraction})."), nameof(ValidationFraction));
        if (VolumeCacheBytes < 0) throw new SoSegException("The volume cache size cannot be negative.");
    }
}
