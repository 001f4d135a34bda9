using SoSeg.Models.Catalog;
namespace SoSeg.Training;

/// <summary>
/// Everything that defines a training run. Defaults are the paper's recipe (section III-B) with the
/// authors' code for what the paper leaves open (AdamW betas and weight decay, warm-up). Saved to the
/// run's config.json; a resumed run reads it back.
/// </summary>
public sealed record TrainingOptions
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
    /// <summary>Square training crop (paper: 512).</summary>
    public int CropSize { get; init; } = 512;
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
    /// <summary>Paper's augmentations on (scale, flip, crop, blur, photometric distortion, rotation); off trains on plain random crops.</summary>
    public bool Augment { get; init; } = true;
    /// <summary>Adds elastic deformation to the augmentations (off in the paper's recipe as the authors' code runs it).</summary>
    public bool Elastic { get; init; }
    /// <summary>Random rescaling before the crop (<see cref="Augmentation.ScaleMode"/>; the authors' code: <see cref="Augmentation.ScaleMode.Crop"/>).</summary>
    public Augmentation.ScaleMode ScaleMode { get; init; } = Augmentation.ScaleMode.Crop;
    public double ScaleMin { get; init; } = 0.5;
    public double ScaleMax { get; init; } = 1.5;
    /// <summary>
    /// Validation score that picks `best` (<see cref="SelectionScore"/>): "fg-dice" (default; an all-background
    /// prediction scores 0), "fg-dice+recall", or "mdice" (the paper's background-inclusive selection).
    /// </summary>
    public string SelectBy { get; init; } = SelectionScore.Default;
    /// <summary>Share of training crops centred on an object, size-balanced (0: the paper's uniform crops; nnU-Net: 1/3).</summary>
    public double OversampleForeground { get; init; }
    /// <summary>
    /// Per-augmentation probabilities by registered name (<see cref="Augmentation.AugmentationRegistry"/>), applied on top of
    /// <see cref="Augment"/>, <see cref="Elastic"/> and <see cref="ScaleMode"/>; 0 switches a step off. Empty: the recipe's.
    /// </summary>
    public Dictionary<string, double> Augmentations { get; init; } = new();
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
        if (CropSize < Augmentation.AugmentationOptions.MinimumCropSize) throw SettingError.Invalid(nameof(CropSize), $"must be at least {Augmentation.AugmentationOptions.MinimumCropSize} (got {CropSize}).");
        if (!(ScaleMin > 0 && ScaleMax >= ScaleMin && double.IsFinite(ScaleMax)))
            throw SettingError.Invalid("ScaleRange", $"must be two finite numbers with 0 < MIN <= MAX (got {ScaleMin} {ScaleMax}).");
        if (Folds < 1 || Fold < 0 || Fold >= Folds) throw SettingError.Naming(new ArgumentException($"Fold {Fold} must be in [0, Folds {Folds})."), nameof(Fold), nameof(Folds));
        if (ValidateEvery < 1) throw SettingError.Invalid(nameof(ValidateEvery), $"must be at least 1 (got {ValidateEvery}).");
        if (StepsPerEpoch is < 1) throw SettingError.Invalid(nameof(StepsPerEpoch), $"must be at least 1 (got {StepsPerEpoch}).");
        if (!Enum.IsDefined(ScaleMode)) throw SettingError.Invalid(nameof(ScaleMode), $"must be {string.Join(", ", Augmentation.ScaleModes.Names)} (got {(int)ScaleMode}).");
        if (!Optimization.TrainingOptimizers.Names.Contains(Optimizer)) throw SettingError.Invalid(nameof(Optimizer), $"must be {string.Join(" or ", Optimization.TrainingOptimizers.Names)} (got '{Optimizer}').");
        SelectionScore.MetricOf(SelectBy);
        if (!(OversampleForeground is >= 0 and <= 1)) throw SettingError.Invalid(nameof(OversampleForeground), $"must be a share in [0, 1] (got {OversampleForeground}).");
        if (EarlyStop is < 1) throw SettingError.Invalid(nameof(EarlyStop), $"must be at least 1 epoch (got {EarlyStop}).");
        if (LoaderThreads < 1) throw new ArgumentException($"Loader threads must be at least 1 (got {LoaderThreads}).");
        ToAugmentationOptions().Validate();
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
        profile.Training(BatchSize, CropSize).EnsureFits($"{nameof(CropSize)} {CropSize} with {nameof(BatchSize)} {BatchSize}", device, nameof(CropSize), nameof(BatchSize));
        profile.Prediction(window).EnsureFits($"{windowSetting} {window}", device, windowSetting);
    }

    /// <summary>The augmentation settings these options stand for.</summary>
    public Augmentation.AugmentationOptions ToAugmentationOptions() =>
        Augmentation.AugmentationRegistry.Apply(RecipeAugmentationOptions(), Augmentations);

    Augmentation.AugmentationOptions RecipeAugmentationOptions() =>
        Augment
            ? Augmentation.ScaleModes.ApplyTo(ScaleMode, Augmentation.AugmentationOptions.Default with
            {
                CropSize = CropSize, ElasticDeformation = Elastic, ScaleMin = ScaleMin, ScaleMax = ScaleMax,
                OversampleForeground = OversampleForeground,
            })
            : Augmentation.AugmentationOptions.CropOnly with { CropSize = CropSize, OversampleForeground = OversampleForeground };
    /// <summary>Threads for decoding images in the background while the model computes (half the CPUs this process may use).</summary>
    public int LoaderThreads { get; init; } = Math.Max(1, Runtime.CpuBudget.Current.Count / 2);
}
