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
    /// <summary>Square training crop (paper: 512).</summary>
    public int CropSize { get; init; } = 512;
    /// <summary>"ce" (the paper's common protocol: cross-entropy on every model), "model" (each model's own paper loss) or a loss for imbalance (<see cref="Losses.LossRegistry"/>).</summary>
    public string Loss { get; init; } = "ce";
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
    /// <summary>
    /// Random rescaling before the crop: "crop" (authors' code: the short side becomes factor x crop, so frames of any
    /// size meet the network at a similar size), "image" (factor x the image's own size; keeps tiny objects at their
    /// native scale when the crop is smaller than the frames) or "off".
    /// </summary>
    public string ScaleMode { get; init; } = "crop";
    public double ScaleMin { get; init; } = 0.5;
    public double ScaleMax { get; init; } = 1.5;
    /// <summary>
    /// Validation score that picks `best` (<see cref="SelectionScore"/>): "fg-dice" (default; an all-background
    /// prediction scores 0), "fg-dice+recall", or "mdice" (the paper's background-inclusive selection).
    /// </summary>
    public string SelectBy { get; init; } = SelectionScore.Default;
    /// <summary>Share of training crops centred on an object, size-balanced (0: the paper's uniform crops; nnU-Net: 1/3).</summary>
    public double OversampleForeground { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option out of range (or an unknown model).</summary>
    public void Validate()
    {
        Models.ModelRegistry.Get(Model);
        if (Epochs < 1) throw new ArgumentException($"--epochs must be at least 1 (got {Epochs}).");
        if (BatchSize < 1) throw new ArgumentException($"--batch must be at least 1 (got {BatchSize}).");
        if (!(LearningRate > 0) || !(MinLearningRate >= 0) || MinLearningRate > LearningRate)
            throw new ArgumentException($"Learning rates must satisfy 0 <= --min-lr ({MinLearningRate}) <= --lr ({LearningRate}) and --lr > 0.");
        if (WarmupEpochs < 0 || WarmupEpochs > Epochs) throw new ArgumentException($"--warmup-epochs must be in [0, {Epochs}] (got {WarmupEpochs}).");
        if (WeightDecay < 0) throw new ArgumentException($"--weight-decay cannot be negative (got {WeightDecay}).");
        if (CropSize < 16) throw new ArgumentException($"--crop must be at least 16 (got {CropSize}).");
        Losses.LossRegistry.Check(Loss);
        if (Folds < 1 || Fold < 0 || Fold >= Folds) throw new ArgumentException($"--fold {Fold} must be in [0, --folds {Folds}).");
        if (ValidateEvery < 1) throw new ArgumentException($"--validate-every must be at least 1 (got {ValidateEvery}).");
        if (StepsPerEpoch is < 1) throw new ArgumentException($"--steps-per-epoch must be at least 1 (got {StepsPerEpoch}).");
        if (ScaleMode is not ("crop" or "image" or "off")) throw new ArgumentException($"--scale-mode must be crop, image or off (got '{ScaleMode}').");
        SelectionScore.MetricOf(SelectBy);
        if (!(OversampleForeground is >= 0 and <= 1)) throw new ArgumentException($"--oversample-foreground must be a share in [0, 1] (got {OversampleForeground}).");
        if (LoaderThreads < 1) throw new ArgumentException($"Loader threads must be at least 1 (got {LoaderThreads}).");
        ToAugmentationOptions().Validate();
    }

    /// <summary>The augmentation settings these options stand for.</summary>
    public Augmentation.AugmentationOptions ToAugmentationOptions() =>
        Augment
            ? Augmentation.AugmentationOptions.Default with
            {
                CropSize = CropSize, ElasticDeformation = Elastic,
                RandomScale = ScaleMode != "off", ScaleRelativeToCrop = ScaleMode == "crop", ScaleMin = ScaleMin, ScaleMax = ScaleMax,
                OversampleForeground = OversampleForeground,
            }
            : Augmentation.AugmentationOptions.CropOnly with { CropSize = CropSize, OversampleForeground = OversampleForeground };
    /// <summary>Threads for decoding images in the background while the model computes (half the CPUs this process may use).</summary>
    public int LoaderThreads { get; init; } = Math.Max(1, Runtime.CpuBudget.Current.Count / 2);
}
