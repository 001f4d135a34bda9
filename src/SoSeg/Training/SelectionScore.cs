using SoSeg.Metrics;

namespace SoSeg.Training;

/// <summary>
/// The validation score that picks `best.ckpt` (and would stop a run early). The default is a foreground
/// score: a model that predicts only background scores 0 on it, while the authors' background-inclusive
/// mDice gives such a model most of its points on small-object data. Whatever the choice, an epoch that
/// predicts no foreground pixel on a validation set that has some is never kept as best.
/// </summary>
public static class SelectionScore
{
    /// <summary>Per-image foreground Dice (polyp-benchmark protocol, images without objects left out).</summary>
    public const string ForegroundDice = "fg-dice";
    /// <summary>Mean of per-image foreground Dice and ultra-small object recall (all-object recall when there are no ultra-small objects).</summary>
    public const string ForegroundDiceAndRecall = "fg-dice+recall";
    /// <summary>The authors' dataset-level mDice, background included (the paper's selection).</summary>
    public const string AuthorsMDice = "mdice";

    public const string Default = ForegroundDice;
    public static readonly string[] Names = [ForegroundDice, ForegroundDiceAndRecall, AuthorsMDice];

    /// <summary>Metric key (in metrics.csv without the val_ prefix) that a selection name reads.</summary>
    public static string MetricOf(string selectBy) => selectBy switch
    {
        ForegroundDice => "fg_dice_per_image",
        ForegroundDiceAndRecall => "fg_dice_recall",
        AuthorsMDice => "mDice",
        _ => throw SettingError.Invalid("SelectBy", $"must be one of {string.Join(", ", Names)} (got '{selectBy}')."),
    };

    /// <summary>Key of the flag that marks an epoch whose prediction holds no foreground although the validation truth does (1) or not (0).</summary>
    public const string EmptyPrediction = "empty_prediction";

    /// <summary>Validation metrics of one evaluation: the authors' protocol, the foreground scores and the empty-prediction flag.</summary>
    public static Dictionary<string, double> Metrics(EvaluationReport report)
    {
        var all = report.Stratum(SizeStrata.Names[SizeStrata.All]);
        var ultraSmall = report.Stratum(SizeStrata.Names[SizeStrata.UltraSmall]);
        double perImageDice = all.PerImage.Foreground.Dice ?? 0;
        var metrics = new Dictionary<string, double>
        {
            ["mDice"] = all.Dataset.Weighted.Dice ?? 0,
            ["mIoU"] = all.Dataset.Weighted.IoU ?? 0,
            ["fg_dice"] = all.Dataset.Foreground.Dice ?? 0,
            ["fg_dice_per_image"] = perImageDice,
        };
        if (ultraSmall.ImagesWithObjects > 0) metrics["mDice_ultra_small"] = ultraSmall.Dataset.Weighted.Dice ?? 0;
        double? Recall(int stratum) => report.Objects.Bins.FirstOrDefault(b => b.Name == SizeStrata.Names[stratum])?.Overall.Recall;
        if (Recall(SizeStrata.All) is { } recall) metrics["object_recall"] = recall;
        if (Recall(SizeStrata.UltraSmall) is { } ultraRecall) metrics["object_recall_ultra_small"] = ultraRecall;
        metrics["fg_dice_recall"] = (perImageDice + (Recall(SizeStrata.UltraSmall) ?? Recall(SizeStrata.All) ?? 0)) / 2;
        var foreground = all.Dataset.Classes.Where(c => c.Index > 0).ToList();
        bool truthHasForeground = foreground.Any(c => c.GroundTruth > 0);
        bool predictsForeground = foreground.Any(c => c.Predicted > 0);
        metrics[EmptyPrediction] = truthHasForeground && !predictsForeground ? 1 : 0;
        return metrics;
    }

    /// <summary>Whether an epoch with these metrics may become `best`: not when it found no foreground where there is some.</summary>
    public static bool Eligible(IReadOnlyDictionary<string, double> metrics) =>
        !(metrics.TryGetValue(EmptyPrediction, out var empty) && empty > 0);
}
