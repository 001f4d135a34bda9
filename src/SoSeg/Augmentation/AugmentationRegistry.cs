
namespace SoSeg.Augmentation;

/// <summary>
/// The training augmentations by name, in the order they draw and apply. The order fixes each step's slots in the
/// batch's uniform draw, so it is part of what a seed means: add a new step at the end.
/// </summary>
public static class AugmentationRegistry
{
    /// <summary>Every step, in draw and application order.</summary>
    public static IReadOnlyList<AugmentationStep> Steps { get; } =
    [
        new RandomScaleStep(),
        new RandomCropStep(),
        new HorizontalFlipStep(),
        new RotationStep(),
        new ElasticStep(),
        new GaussianBlurStep(),
        new PhotometricStep(),
    ];

    /// <summary>Names of the steps that can be switched and given a probability.</summary>
    public static IReadOnlyList<string> Names { get; } = Steps.Where(s => s.Switchable).Select(s => s.Name).ToArray();

    internal static int DrawsPerSample { get; } = Steps.Sum(s => s.UniformDraws);

    /// <summary>One entry per switchable step, for help texts.</summary>
    public static string Describe() => string.Join("; ", Steps.Where(s => s.Switchable).Select(s => $"{s.Name}: {s.Description}"));

    /// <summary>The switchable step <paramref name="name"/>; an <see cref="ArgumentException"/> naming the Augmentations setting and the known names otherwise.</summary>
    public static AugmentationStep Get(string name) =>
        Steps.FirstOrDefault(s => s.Switchable && s.Name == name)
        ?? throw SettingError.Invalid("Augmentations", $"has unknown augmentation '{name}'; known: {string.Join(", ", Names)}.");

    /// <summary>
    /// <paramref name="options"/> with each named step at its probability (0 switches it off); throws an
    /// <see cref="ArgumentException"/> naming the Augmentations setting for an unknown name or a probability out of range.
    /// </summary>
    public static AugmentationOptions Apply(AugmentationOptions options, IReadOnlyDictionary<string, double> probabilities)
    {
        foreach (var (name, p) in probabilities)
        {
            var step = Get(name);
            if (p is < 0 or > 1 || double.IsNaN(p))
                throw SettingError.Invalid("Augmentations", $"gives {name} the probability {p}; it must be in [0, 1].");
            if (!step.AcceptsPartialProbability && p is > 0 and < 1)
                throw SettingError.Invalid("Augmentations", $"gives {name} the probability {p}; {name} applies to every sample or none, so it takes 0 or 1.");
            options = step.WithProbability(options, p);
        }
        return options;
    }
}
