using System.CommandLine;
using SoSeg.Augmentation;
using SoSeg.Training;

namespace SoSeg.Cli;

/// <summary>
/// The training-recipe options shared by `train` and `compare`, defined once: defaults are the paper's
/// (see <see cref="TrainingOptions"/>).
/// </summary>
public sealed class RecipeOptions
{
    static readonly TrainingOptions Defaults = new();
    readonly Option<int> _epochs = new("--epochs") { Description = "Epochs (paper: 100).", DefaultValueFactory = _ => Defaults.Epochs };
    readonly Option<int> _batch = new("--batch") { Description = "Images per step (paper: 4).", DefaultValueFactory = _ => Defaults.BatchSize };
    readonly Option<double> _lr = new("--lr") { Description = "Peak learning rate (paper: 5e-5).", DefaultValueFactory = _ => Defaults.LearningRate };
    readonly Option<double> _minLr = new("--min-lr") { Description = "Final learning rate of the cosine decay (paper: 1e-6).", DefaultValueFactory = _ => Defaults.MinLearningRate };
    readonly Option<double> _warmup = new("--warmup-epochs") { Description = "Linear warm-up length in epochs.", DefaultValueFactory = _ => Defaults.WarmupEpochs };
    readonly Option<double> _weightDecay = new("--weight-decay") { Description = "AdamW weight decay (authors' code: 0.03).", DefaultValueFactory = _ => Defaults.WeightDecay };
    readonly Option<string> _optimizer = new("--optimizer") { Description = "AdamW implementation: adamw (all parameters in one buffer: a few kernels per step) or adamw-per-tensor (TorchSharp's); same results and checkpoints.", DefaultValueFactory = _ => Defaults.Optimizer };
    readonly Option<int> _crop = new("--crop") { Description = "Square training crop and prediction window (paper: 512).", DefaultValueFactory = _ => Defaults.Augmentation.CropSize };
    readonly Option<string> _loss = new("--loss") { Description = "Training loss: " + SoSeg.Losses.LossRegistry.Describe() + ".", DefaultValueFactory = _ => Defaults.Loss.ToString() };
    readonly Option<int> _validateEvery = new("--validate-every") { Description = "Validate every N epochs (the last epoch always validates).", DefaultValueFactory = _ => Defaults.ValidateEvery };
    readonly Option<int?> _stepsPerEpoch = new("--steps-per-epoch") { Description = "Fixed number of steps per epoch (default: one pass over the training cases)." };
    readonly Option<bool> _noAugment = new("--no-augment") { Description = "Train on plain random crops, without the paper's augmentations." };
    readonly Option<string[]> _augmentation = new("--augmentation") { HelpName = "NAME=P", Description = "Augmentation and its probability (repeatable), NAME=P; P=0 switches it off, e.g. --augmentation blur=0 --augmentation elastic=0.3. Applied after --no-augment, --elastic and --scale-mode. Names: " + SoSeg.Augmentation.AugmentationRegistry.Describe() + ".", Arity = ArgumentArity.OneOrMore };
    readonly Option<bool> _elastic = new("--elastic") { Description = "Add elastic deformation to the augmentations." };
    readonly Option<string> _scaleMode = new("--scale-mode") { Description = "Random rescale before cropping: crop (authors': short side = factor x crop), image (factor x the image's size; keeps tiny objects at native scale), off.", DefaultValueFactory = _ => Defaults.Augmentation.ScaleMode.Name() };
    readonly Option<double[]> _scaleRange = new("--scale-range") { Description = "Smallest and largest random scale factor, e.g. --scale-range 0.5 1.5.", Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true };
    readonly Option<string> _selectBy = new("--select-by") { Description = "Validation score that picks best.ckpt: fg-dice (per-image foreground Dice; an all-background model scores 0), fg-dice+recall (mean with ultra-small object recall), mdice (the paper's background-inclusive mDice). Reports always carry the paper's metrics.", DefaultValueFactory = _ => Defaults.SelectBy };
    readonly Option<int?> _earlyStop = new("--early-stop") { Description = "Stop after N epochs without a better validation score (the one --select-by names); default: train every epoch." };
    readonly Option<double> _oversample = new("--oversample-foreground") { Description = "Share P in [0, 1] of training crops centred on an object, small objects drawn as often as large ones (paper: 0; nnU-Net: 0.33).", DefaultValueFactory = _ => Defaults.Augmentation.OversampleForeground };
    readonly Option<string?> _plan = new("--plan") { Description = "Start from the recipe in this plan.json (`soseg plan DATA`); options given explicitly still win." };
    readonly Option<string[]> _modelOption;

    /// <param name="perModelOptions">Compare: --model-option may name a model (MODEL:key=value).</param>
    public RecipeOptions(bool perModelOptions = false)
    {
        _modelOption = CommonOptions.ModelOptions(perModelOptions
            ? "Model option (repeatable): key=value for every model, or MODEL:key=value for one, e.g. unet:base-width=32."
            : null);
        _loss.AcceptOnlyFromAmong([.. SoSeg.Losses.LossRegistry.Names]);
        _scaleMode.AcceptOnlyFromAmong([.. SoSeg.Augmentation.ScaleModes.Names]);
        _optimizer.AcceptOnlyFromAmong([.. Training.Optimization.TrainingOptimizers.Names]);
        _selectBy.AcceptOnlyFromAmong(SelectionScore.Names);
    }

    /// <summary>Adds every recipe option to a command.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _epochs, _batch, _lr, _minLr, _warmup, _weightDecay, _optimizer, _crop, _loss, _validateEvery, _stepsPerEpoch, _noAugment, _elastic, _augmentation, _scaleMode, _scaleRange, _selectBy, _oversample, _earlyStop, _plan, _modelOption })
            command.Options.Add(option);
    }

    /// <summary>NAME=P pairs of --augmentation; a malformed pair is an <see cref="ArgumentException"/> naming the option.</summary>
    static Dictionary<string, double> ParseAugmentations(string[]? pairs)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || parts[0].Trim().Length == 0
                || !double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double p))
                throw SettingError.Invalid("Augmentations", $"takes NAME=P with P a number in [0, 1], not '{pair}' (names: {string.Join(", ", SoSeg.Augmentation.AugmentationRegistry.Names)}).");
            result[parts[0].Trim()] = p;
        }
        return result;
    }

    /// <summary>The recipe the command line asks for (model and seed set by the caller).</summary>
    /// <remarks>
    /// Order: the augmentation flags describe the recipe, a plan replaces the settings not given explicitly, then
    /// --no-augment and --augmentation apply on top (so a plan's scale mode cannot switch a rescale back on).
    /// </remarks>
    public TrainingOptions Read(ParseResult parse)
    {
        var scaleRange = parse.GetValue(_scaleRange) is { Length: 2 } range ? range : [Defaults.Augmentation.ScaleMin, Defaults.Augmentation.ScaleMax];
        var augmentation = ScaleModes.Parse(parse.GetValue(_scaleMode)!).ApplyTo(Defaults.Augmentation with
        {
            CropSize = parse.GetValue(_crop),
            ScaleMin = scaleRange[0],
            ScaleMax = scaleRange[1],
            ElasticDeformation = parse.GetValue(_elastic) || Defaults.Augmentation.ElasticDeformation,
            OversampleForeground = parse.GetValue(_oversample),
        });
        TrainingOptions options = new()
        {
            ModelOptions = Models.ModelOptions.Parse(parse.GetValue(_modelOption)).Values.ToDictionary(kv => kv.Key, kv => kv.Value),
            Epochs = parse.GetValue(_epochs),
            BatchSize = parse.GetValue(_batch),
            LearningRate = parse.GetValue(_lr),
            MinLearningRate = parse.GetValue(_minLr),
            WarmupEpochs = parse.GetValue(_warmup),
            WeightDecay = parse.GetValue(_weightDecay),
            Optimizer = parse.GetValue(_optimizer)!,
            Augmentation = augmentation,
            Loss = parse.GetValue(_loss)!,
            ValidateEvery = parse.GetValue(_validateEvery),
            StepsPerEpoch = parse.GetValue(_stepsPerEpoch),
            SelectBy = parse.GetValue(_selectBy)!,
            EarlyStop = parse.GetValue(_earlyStop),
        };
        if (parse.GetValue(_plan) is { } planFile)
        {
            var given = parse.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>()
                .Where(r => !r.Implicit).Select(r => r.Option.Name).ToHashSet();
            options = Planning.RecipePlan.Read(planFile).Apply(options, setting => SettingFlags.FlagOf(setting) is { } flag && given.Contains(flag));
        }
        var final = options.Augmentation;
        if (parse.GetValue(_noAugment)) final = final.WithoutTransforms();
        return options with { Augmentation = AugmentationRegistry.Apply(final, ParseAugmentations(parse.GetValue(_augmentation))) };
    }
}
