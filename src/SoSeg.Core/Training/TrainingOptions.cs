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
    /// <summary>"ce" (the paper's common protocol: cross-entropy on every model) or "model" (each model's own paper loss).</summary>
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

    /// <summary>The augmentation settings these options stand for.</summary>
    public Augmentation.AugmentationOptions ToAugmentationOptions() =>
        Augment
            ? Augmentation.AugmentationOptions.Default with { CropSize = CropSize, ElasticDeformation = Elastic }
            : Augmentation.AugmentationOptions.CropOnly with { CropSize = CropSize };
    /// <summary>Threads for decoding images in the background while the model computes.</summary>
    public int LoaderThreads { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);
}
