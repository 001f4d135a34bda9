namespace SoSeg.Data.Datasets;

/// <summary>
/// Layout name -> reader, like the model registry. The built-in layouts register here, one line each; a program
/// adds its own with <see cref="Register"/> before opening a dataset.
/// </summary>
public static class DatasetLayouts
{
    static readonly object Gate = new();
    static readonly List<IDatasetLayoutReader> Readers =
    [
        new SoSegLayoutReader(),
        new AtlasLayoutReader(),
        new PolypGenLayoutReader(),
        new ImagesMasksLayoutReader(),
    ];

    /// <summary>Adds a layout; names are unique (case-insensitive).</summary>
    public static void Register(IDatasetLayoutReader reader)
    {
        lock (Gate)
        {
            if (Readers.Any(r => string.Equals(r.Name, reader.Name, StringComparison.OrdinalIgnoreCase) || r.Layout == reader.Layout)
                || string.Equals(reader.Name, "auto", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"A dataset layout named '{reader.Name}' is already registered.");
            Readers.Add(reader);
        }
    }

    /// <summary>Every registered layout, in registration order.</summary>
    public static IReadOnlyList<IDatasetLayoutReader> All
    {
        get { lock (Gate) return Readers.ToList(); }
    }

    /// <summary>"auto" and every layout's name, as users choose them.</summary>
    public static IReadOnlyList<string> Names => ["auto", .. All.Select(r => r.Name)];

    /// <summary>The reader of a layout.</summary>
    public static IDatasetLayoutReader Get(DatasetLayout layout) =>
        All.FirstOrDefault(r => r.Layout == layout) ?? throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown layout.");

    /// <summary>The layout a user's name stands for ("auto" or a registered name).</summary>
    public static DatasetLayout Parse(string name) =>
        string.Equals(name, "auto", StringComparison.OrdinalIgnoreCase) ? DatasetLayout.Auto
        : All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))?.Layout
          ?? throw SettingError.Invalid("Layout", $"must be one of {string.Join(", ", Names)} (got '{name}').");

    /// <summary>The layout of <paramref name="folder"/>, trying each in detection order.</summary>
    public static DatasetLayout Detect(string folder)
    {
        var readers = All;
        foreach (var reader in readers.OrderBy(r => r.DetectionOrder))
            if (reader.Detects(folder)) return reader.Layout;
        throw new SoSegException($"{folder}: cannot tell the dataset layout. Expected one of: {string.Join("; ", readers.Select(r => r.Expected))}.");
    }
}
