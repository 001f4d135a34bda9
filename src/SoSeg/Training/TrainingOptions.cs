using System.Text.Json.Serialization;
using SoSeg.Models.Catalog;
namespace SoSeg.Training;

/// <summary>
/// Everything that defines a training run. Defaults are the paper's recipe (section III-B) with the
/// authors' code for what the paper leaves open (AdamW betas and weight decay, warm-up). Saved to the
/// run's config.json; a resumed run reads it back.
/// </summary>
public sealed record TrainingOptions : IJsonOnDeserialized
{
    /// <summary>Registered model name.</summary>
    public string Model { get; init; } = "sosegformer";
    /// <summary>Model options as key=value (see `soseg models`).</summary>
    public Dictionary<string, string> ModelOptions { get; init; } = new();
    public int Epochs { get; init; } = 100;
    public int BatchSize { get; init; } = 4;
    /// <summary>Peak learning rate (paper: 5e-5).</summary>
    public double LearningRate { get; init; } = 5e-5;
    /// <summary>Final learning rate (paper: 1e-6).</summary>
    public double MinLearningRate { get; init; } = 1e-6;
    /// <summary>Linear warm-up length in epochs (authors' code warms up; the paper does not say how long).</summary>
    public double WarmupEpochs { get; init; } = 1;
    /// <summary>AdamW weight decay (authors' code: 0.03).</summary>
    public double WeightDecay { get; init; } = 0.03;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Arithmetic of training and validation (fp32, tf32 or bf16 mixed precision); weights and checkpoints stay float32.</summary>
    public Runtime.Precision Precision { get; init; } = Runtime.Precision.Tf32;
    /// <summary>Channels-last activations for training and validation (<see cref="Models.SegmentationModel.ChannelsLast"/>); weights and checkpoints unchanged.</summary>
    public bool ChannelsLast { get; init; }
    /// <summary>AdamW implementation: "adamw" (one buffer, a few kernels per step) or "adamw-per-tensor" (TorchSharp's); same results, same checkpoints.</summary>
    public string Optimizer { get; init; } = Optimization.TrainingOptimizers.FlatAdamW;
    /// <summary>"ce" (the paper's common protocol: cross-entropy on every model), "model" (each model's own paper loss) or a loss for imbalance (<see cref="Losses.LossRegistry"/>); a name converts implicitly.</summary>
    public Losses.TrainingLoss Loss { get; init; } = new(Losses.LossKind.CrossEntropy);
    public long Seed { get; init; } = 0;
    /// <summary>When &gt; 1: k-fold cross-validation, and <see cref="Fold"/> picks the fold.</summary>
    public int Folds { get; init; } = 1;
    public int Fold { get; init; } = 0;
    /// <summary>Validate (and maybe save `best`) every this many epochs; the last epoch always validates.</summary>
    public int ValidateEvery { get; init; } = 1;
    /// <summary>Cap on optimizer steps per epoch (null: one pass over the training cases).</summary>
    public int? StepsPerEpoch { get; init; }
    /// <summary>
    /// The training crop and its augmentations (defaults: the paper's recipe as the authors' code runs it; see
    /// <see cref="Augmentation.AugmentationOptions"/>). The crop size lives here and nowhere else in the options.
    /// </summary>
    public Augmentation.AugmentationOptions Augmentation
    {
        get => _augmentation;
        init => _augmentation = value ?? throw new ArgumentNullException(nameof(Augmentation));
    }
    Augmentation.AugmentationOptions _augmentation = SoSeg.Augmentation.AugmentationOptions.Default;
    /// <summary>How validation predicts whole images; null: windows of the training crop (<see cref="ValidationPrediction"/>).</summary>
    public Inference.PredictionOptions? Validation { get; init; }
    /// <summary>
    /// Validation score that picks `best` (<see cref="SelectionScore"/>): "fg-dice" (default; an all-background
    /// prediction scores 0), "fg-dice+recall", or "mdice" (the paper's background-inclusive selection).
    /// </summary>
    public string SelectBy { get; init; } = SelectionScore.Default;
    /// <summary>Stop after this many epochs without a better selection score (null: train every epoch).</summary>
    public int? EarlyStop { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option out of range (or an unknown model).</summary>
    public void Validate()
    {
        ModelRegistry.Get(Model);
        if (Epochs < 1) throw SettingError.Invalid(nameof(Epochs), $"must be at least 1 (got {Epochs}).");
        if (BatchSize < 1) throw SettingError.Invalid(nameof(BatchSize), $"must be at least 1 (got {BatchSize}).");
        if (!(LearningRate > 0 && double.IsFinite(LearningRate))) throw SettingError.Invalid(nameof(LearningRate), $"must be a positive finite number (got {LearningRate}).");
        if (!(MinLearningRate >= 0 && MinLearningRate <= LearningRate)) throw SettingError.Naming(SettingError.Invalid(nameof(MinLearningRate), $"must be in [0, LearningRate {LearningRate}] (got {MinLearningRate})."), nameof(LearningRate));
        if (!(WarmupEpochs >= 0 && WarmupEpochs <= Epochs)) throw SettingError.Invalid(nameof(WarmupEpochs), $"must be in [0, {Epochs}] (got {WarmupEpochs}).");
        if (!(WeightDecay >= 0 && double.IsFinite(WeightDecay))) throw SettingError.Invalid(nameof(WeightDecay), $"must be a finite number >= 0 (got {WeightDecay}).");
        if (!(Beta1 >= 0 && Beta1 < 1 && Beta2 >= 0 && Beta2 < 1)) throw new ArgumentException($"AdamW betas must be in [0, 1) (got {Beta1}, {Beta2}).");
        if (Folds < 1 || Fold < 0 || Fold >= Folds) throw SettingError.Naming(new ArgumentException($"Fold {Fold} must be in [0, Folds {Folds})."), nameof(Fold), nameof(Folds));
        if (ValidateEvery < 1) throw SettingError.Invalid(nameof(ValidateEvery), $"must be at least 1 (got {ValidateEvery}).");
        if (StepsPerEpoch is < 1) throw SettingError.Invalid(nameof(StepsPerEpoch), $"must be at least 1 (got {StepsPerEpoch}).");
        if (!Optimization.TrainingOptimizers.Names.Contains(Optimizer)) throw SettingError.Invalid(nameof(Optimizer), $"must be {string.Join(" or ", Optimization.TrainingOptimizers.Names)} (got '{Optimizer}').");
        SelectionScore.MetricOf(SelectBy);
        if (EarlyStop is < 1) throw SettingError.Invalid(nameof(EarlyStop), $"must be at least 1 epoch (got {EarlyStop}).");
        if (LoaderThreads < 1) throw new ArgumentException($"Loader threads must be at least 1 (got {LoaderThreads}).");
        Augmentation.Validate();
        ValidationPrediction.Validate(ValidationWindowSetting);
    }

    /// <summary>A fresh, untrained instance of the model these options name, for <paramref name="channels"/> and <paramref name="classes"/>.</summary>
    public Models.SegmentationModel CreateModel(int channels, int classes) =>
        ModelRegistry.Create(Model, channels, classes, new Models.ModelOptions(ModelOptions));

    /// <summary>
    /// Refuses a crop and batch, or a prediction window, whose memory estimate (<see cref="Models.Analysis.ActivationProfile"/>)
    /// exceeds what <paramref name="device"/> has available, naming the options.
    /// </summary>
    /// <param name="windowSetting">The name of the setting that gives the prediction window (e.g. "ValidationWindow").</param>
    public void EnsureMemoryFits(int channels, int classes, int window, string windowSetting, TorchSharp.torch.Device device)
    {
        using var model = CreateModel(channels, classes);
        var profile = Models.Analysis.ActivationProfile.Of(model, Model);
        int crop = Augmentation.CropSize;
        profile.Training(BatchSize, crop).EnsureFits($"CropSize {crop} with {nameof(BatchSize)} {BatchSize}", device, "CropSize", nameof(BatchSize));
        profile.Prediction(window).EnsureFits($"{windowSetting} {window}", device, windowSetting);
    }

    /// <summary>The setting name of the validation window, as errors name it.</summary>
    public const string ValidationWindowSetting = "ValidationWindow";

    /// <summary>How validation predicts: <see cref="Validation"/>, or windows of the training crop when that is null.</summary>
    [JsonIgnore]
    public Inference.PredictionOptions ValidationPrediction => Validation ?? new Inference.PredictionOptions { WindowSize = Augmentation.CropSize };

    /// <summary>Threads for decoding images in the background while the model computes (half the CPUs this process may use).</summary>
    public int LoaderThreads { get; init; } = Math.Max(1, Runtime.CpuBudget.Current.Count / 2);

    // config.json written before the crop and augmentation settings were nested in Augmentation kept them as flat
    // fields; they are read back into Augmentation (the same AugmentationOptions they stood for) and never written.
    [JsonExtensionData, JsonInclude]
    Dictionary<string, System.Text.Json.JsonElement>? UnmappedJson { get; set; }

    void IJsonOnDeserialized.OnDeserialized()
    {
        var legacy = UnmappedJson;
        UnmappedJson = null;
        if (legacy is null) return;
        var fields = new Dictionary<string, System.Text.Json.JsonElement>(legacy, StringComparer.OrdinalIgnoreCase);
        if (!LegacyAugmentationFields.Any(fields.ContainsKey)) return;
        try
        {
            _augmentation = LegacyAugmentation(fields);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            throw new System.Text.Json.JsonException($"the training settings of an older SoSeg could not be read ({e.Message})", e);
        }
    }

    static readonly string[] LegacyAugmentationFields = ["CropSize", "Augment", "Elastic", "ScaleMode", "ScaleMin", "ScaleMax", "OversampleForeground", "Augmentations"];

    /// <summary>What the flat fields of older config.json files meant, in the order that SoSeg applied them.</summary>
    static Augmentation.AugmentationOptions LegacyAugmentation(Dictionary<string, System.Text.Json.JsonElement> fields)
    {
        T Field<T>(string name, T fallback) => fields.TryGetValue(name, out var e) && e.ValueKind != System.Text.Json.JsonValueKind.Null
            ? System.Text.Json.JsonSerializer.Deserialize<T>(e.GetRawText())! : fallback;
        var plain = SoSeg.Augmentation.AugmentationOptions.Default;
        int crop = Field("CropSize", plain.CropSize);
        double oversample = Field("OversampleForeground", plain.OversampleForeground);
        var options = Field("Augment", true)
            ? SoSeg.Augmentation.ScaleModes.ApplyTo(Field("ScaleMode", SoSeg.Augmentation.ScaleMode.Crop), plain with
            {
                CropSize = crop, ElasticDeformation = Field("Elastic", false), ScaleMin = Field("ScaleMin", plain.ScaleMin),
                ScaleMax = Field("ScaleMax", plain.ScaleMax), OversampleForeground = oversample,
            })
            : SoSeg.Augmentation.AugmentationOptions.CropOnly with { CropSize = crop, OversampleForeground = oversample };
        return SoSeg.Augmentation.AugmentationRegistry.Apply(options, Field("Augmentations", new Dictionary<string, double>()));
    }
}
