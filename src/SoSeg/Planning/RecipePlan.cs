using System.Text.Json;
using System.Text.Json.Serialization;
using SoSeg.IO;
using SoSeg.Training;

namespace SoSeg.Planning;

/// <summary>One planned setting and why it was chosen.</summary>
public sealed record PlannedSetting<T>(T Value, string Reason);

/// <summary>
/// plan.json: a training recipe chosen from a <see cref="DatasetFingerprint"/>, every setting with its reason.
/// `train --plan` and `compare --plan` start from it; options given on the command line still win.
/// </summary>
public sealed record RecipePlan
{
    public int SchemaVersion { get; init; } = 1;
    public required DatasetFingerprint Fingerprint { get; init; }
    public required PlannedSetting<int> Crop { get; init; }
    public required PlannedSetting<int> Batch { get; init; }
    public required PlannedSetting<Augmentation.ScaleMode> ScaleMode { get; init; }
    /// <summary>How intensities reach the network (informational: the dataset loader's normalisation, which the plan does not change).</summary>
    public required PlannedSetting<string> Normalisation { get; init; }
    public required PlannedSetting<double> OversampleForeground { get; init; }
    public required PlannedSetting<Losses.TrainingLoss> Loss { get; init; }
    public required PlannedSetting<int> Epochs { get; init; }
    public required PlannedSetting<string> SelectBy { get; init; }

    /// <summary>The settings a plan sets, by setting name (as errors and front ends name them).</summary>
    public static readonly string[] SettingNames =
    [
        CropSetting, nameof(TrainingOptions.BatchSize), ScaleModeSetting,
        OversampleSetting, nameof(TrainingOptions.Loss), nameof(TrainingOptions.Epochs), nameof(TrainingOptions.SelectBy),
    ];

    const string CropSetting = nameof(Augmentation.AugmentationOptions.CropSize);
    const string ScaleModeSetting = nameof(Augmentation.AugmentationOptions.ScaleMode);
    const string OversampleSetting = nameof(Augmentation.AugmentationOptions.OversampleForeground);

    /// <summary>
    /// The plan's settings on top of <paramref name="options"/>, except those the user gave explicitly (by setting name).
    /// A crop given explicitly re-derives the scale mode by the planner's rule for that crop.
    /// </summary>
    public TrainingOptions Apply(TrainingOptions options, Func<string, bool> givenExplicitly)
    {
        var augmentation = options.Augmentation;
        int crop = givenExplicitly(CropSetting) ? augmentation.CropSize : Crop.Value;
        augmentation = augmentation with
        {
            CropSize = crop,
            OversampleForeground = givenExplicitly(OversampleSetting) ? augmentation.OversampleForeground : OversampleForeground.Value,
        };
        if (!givenExplicitly(ScaleModeSetting)) augmentation = Augmentation.ScaleModes.ApplyTo(ScaleModeFor(crop), augmentation);
        return options with
        {
            Augmentation = augmentation,
            BatchSize = givenExplicitly(nameof(TrainingOptions.BatchSize)) ? options.BatchSize : Batch.Value,
            Loss = givenExplicitly(nameof(TrainingOptions.Loss)) ? options.Loss : Loss.Value,
            Epochs = givenExplicitly(nameof(TrainingOptions.Epochs)) ? options.Epochs : Epochs.Value,
            SelectBy = givenExplicitly(nameof(TrainingOptions.SelectBy)) ? options.SelectBy : SelectBy.Value,
        };
    }

    /// <summary>The planned scale mode, asked again of the planner when the crop is not the plan's (the rule depends on it).</summary>
    Augmentation.ScaleMode ScaleModeFor(int crop) => crop == Crop.Value ? ScaleMode.Value : RecipePlanner.ScaleModeFor(Fingerprint, crop).Value;

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions) + "\n");

    /// <summary>Reads and checks a plan file; errors name the file.</summary>
    public static RecipePlan Read(string path)
    {
        if (!File.Exists(path)) throw new SoSegException($"{path}: plan file not found (a plan is made from a dataset by {nameof(RecipePlanner)}).");
        RecipePlan plan;
        try
        {
            plan = JsonSerializer.Deserialize<RecipePlan>(File.ReadAllText(path), JsonOptions) ?? throw new SoSegException($"{path}: empty plan.");
        }
        catch (JsonException e) { throw new SoSegException($"{path}: not a valid plan ({e.Message})."); }
        try { plan.Apply(new TrainingOptions(), _ => false).Validate(); }
        catch (ArgumentException e) { throw new SoSegException($"{path}: {e.Message}"); }
        return plan;
    }
}
