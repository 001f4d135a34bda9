using SoSeg.Models;

namespace SoSeg.Losses;

/// <summary>
/// Training losses by name (the Loss setting). Every loss works for every model; NAME+ds adds deep
/// supervision on the model's side outputs (<see cref="DeepSupervisionLoss"/>).
/// </summary>
public static class LossRegistry
{
    public const string DeepSupervisionSuffix = "+ds";

    static readonly (string Name, LossKind Kind, string Description, Func<ISegmentationLoss?, ISegmentationLoss> Create)[] Losses =
    [
        ("ce", LossKind.CrossEntropy, "cross-entropy for every model (the paper's protocol)", _ => new CrossEntropyLoss()),
        ("model", LossKind.Model, "each model's own paper loss (cross-entropy where its paper uses that)", paper => paper ?? new CrossEntropyLoss()),
        ("dice-ce", LossKind.DiceCrossEntropy, "cross-entropy + batch soft Dice over the foreground classes (nnU-Net)", _ => new DiceCrossEntropyLoss()),
        ("focal", LossKind.Focal, "focal loss, gamma 2", _ => new FocalLoss()),
        ("tversky", LossKind.Tversky, "Tversky loss, alpha 0.3 (false positives), beta 0.7 (misses)", _ => new TverskyLoss()),
        ("focal-tversky", LossKind.FocalTversky, "focal Tversky loss, alpha 0.3, beta 0.7, gamma 4/3", _ => new TverskyLoss(gamma: 4.0 / 3)),
        ("weighted-ce", LossKind.WeightedCrossEntropy, "cross-entropy with inverse-frequency class weights per batch", _ => new ClassBalancedCrossEntropyLoss()),
    ];

    /// <summary>Base names, without the deep-supervision suffix.</summary>
    public static IReadOnlyList<string> BaseNames { get; } = Losses.Select(l => l.Name).ToArray();

    /// <summary>Every name the Loss setting accepts: each base name, and each with +ds.</summary>
    public static IReadOnlyList<string> Names { get; } = BaseNames.Concat(BaseNames.Select(n => n + DeepSupervisionSuffix)).ToArray();

    /// <summary>One line per loss, for help texts.</summary>
    public static string Describe() => string.Join("; ", Losses.Select(l => $"{l.Name}: {l.Description}")) +
                                       $"; add {DeepSupervisionSuffix} to also supervise the model's side outputs";

    /// <summary>Throws an <see cref="ArgumentException"/> naming the Loss setting when the name is unknown.</summary>
    public static void Check(string name)
    {
        if (!Names.Contains(name)) throw SettingError.Invalid("Loss", $"must be one of {string.Join(", ", BaseNames)} (optionally with {DeepSupervisionSuffix}), got '{name}'.");
    }

    /// <summary>The name of a loss kind, as the Loss setting writes it.</summary>
    public static string NameOf(LossKind kind) => Losses.First(l => l.Kind == kind).Name;

    /// <summary>The kind a base name (without +ds) stands for.</summary>
    public static LossKind KindOf(string baseName) => Losses.First(l => l.Name == baseName).Kind;

    /// <summary>The loss <paramref name="loss"/> stands for, for a model whose paper trains it with <paramref name="paperLoss"/>.</summary>
    public static ISegmentationLoss Create(TrainingLoss loss, ISegmentationLoss? paperLoss = null) => Create(loss.ToString(), paperLoss);

    /// <summary>The loss <paramref name="name"/> stands for, for a model whose paper trains it with <paramref name="paperLoss"/>
    /// (null: cross-entropy; see <see cref="ModelDescriptor.PaperLoss"/>).</summary>
    public static ISegmentationLoss Create(string name, ISegmentationLoss? paperLoss = null)
    {
        Check(name);
        bool deep = name.EndsWith(DeepSupervisionSuffix, StringComparison.Ordinal);
        string baseName = deep ? name[..^DeepSupervisionSuffix.Length] : name;
        var loss = Losses.First(l => l.Name == baseName).Create(paperLoss);
        // A loss that reads side outputs itself (the models' own structure losses) already supervises them.
        return deep && !loss.UsesSideOutputs ? new DeepSupervisionLoss(loss) : loss;
    }
}
