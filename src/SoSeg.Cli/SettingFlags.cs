using System.Text.RegularExpressions;

namespace SoSeg.Cli;

/// <summary>
/// The command line's words for the library's settings: library errors name a setting ("Epochs must be at least 1"),
/// the user reads the flag that sets it ("--epochs must be at least 1").
/// </summary>
public static class SettingFlags
{
    static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["Epochs"] = "--epochs",
        ["BatchSize"] = "--batch",
        ["LearningRate"] = "--lr",
        ["MinLearningRate"] = "--min-lr",
        ["WarmupEpochs"] = "--warmup-epochs",
        ["WeightDecay"] = "--weight-decay",
        ["CropSize"] = "--crop",
        ["ScaleRange"] = "--scale-range",
        ["ScaleMode"] = "--scale-mode",
        ["Loss"] = "--loss",
        ["Fold"] = "--fold",
        ["Folds"] = "--folds",
        ["ValidateEvery"] = "--validate-every",
        ["StepsPerEpoch"] = "--steps-per-epoch",
        ["Optimizer"] = "--optimizer",
        ["SelectBy"] = "--select-by",
        ["OversampleForeground"] = "--oversample-foreground",
        ["Augmentations"] = "--augmentation",
        ["WindowSize"] = "--window",
        ["ValidationWindow"] = "--val-window",
        ["Overlap"] = "--overlap",
        ["TestFraction"] = "--test-fraction",
        ["ValidationFraction"] = "--val-fraction",
        ["Precision"] = "--precision",
        ["FixedSize"] = "--fixed-size",
        ["Binarize"] = "--binarize",
        ["Device"] = "--device",
        ["Force"] = "--force",
        ["Output"] = "--out",
        ["Splits"] = "--splits",
        ["EarlyStop"] = "--early-stop",
        ["Layout"] = "--layout",
    };

    /// <summary>The flag that sets <paramref name="setting"/>, or null when the command line has none.</summary>
    public static string? FlagOf(string setting) => Flags.GetValueOrDefault(setting);

    /// <summary>The error's message with each setting it names written as its flag.</summary>
    public static string Describe(Exception error)
    {
        string message = error.Message;
        foreach (var setting in SettingError.NamesIn(error))
            if (FlagOf(setting) is { } flag)
                message = Regex.Replace(message, $@"(?<![\w-]){Regex.Escape(setting)}(?!\w)", flag);
        return message;
    }
}
