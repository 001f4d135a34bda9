namespace SoSeg.Data.Synthetic;

/// <summary>
/// The synthetic dataset generators by <see cref="ISyntheticDatasetGenerator.Kind"/>, for `soseg generate`.
/// A new generator is one line in <see cref="All"/>.
/// </summary>
public static class SyntheticGenerators
{
    /// <summary>Every generator, in the order `soseg generate --help` lists them.</summary>
    public static IReadOnlyList<ISyntheticDatasetGenerator> All { get; } =
    [
        new SpermDatasetGenerator(),
        new PolypDatasetGenerator(),
        new LiverVolumeGenerator(),
    ];

    /// <summary>The KIND values, e.g. "sperm", "polyp".</summary>
    public static IReadOnlyList<string> Kinds => All.Select(g => g.Kind).ToArray();

    /// <summary>The generator of a kind (case-insensitive); a <see cref="SoSegException"/> lists the known kinds otherwise.</summary>
    public static ISyntheticDatasetGenerator Get(string kind) =>
        All.FirstOrDefault(g => string.Equals(g.Kind, kind, StringComparison.OrdinalIgnoreCase))
        ?? throw new SoSegException($"Unknown synthetic dataset kind '{kind}'; known kinds: {string.Join(", ", Kinds)}.");
}
