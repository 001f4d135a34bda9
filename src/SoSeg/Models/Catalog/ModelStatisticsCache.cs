using SoSeg.Models.Analysis;
using SoSeg.Models;
using System.Text.Json;
using SoSeg.IO;

namespace SoSeg.Models.Catalog;

/// <summary>
/// Remembers <see cref="ModelStatistics"/> across runs, because counting a paper-scale model at 512 x 512
/// is a full forward pass (about half a minute on two CPU cores). An entry is keyed by model, channels,
/// classes, options and size, and stamped with the module version id of the assembly that registers the
/// model: after a rebuild that changes the model's code the entry no longer counts and is replaced.
/// A missing or unreadable cache file is ignored.
/// </summary>
public sealed class ModelStatisticsCache
{
    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
    readonly string? _path;
    readonly object _gate = new();
    Dictionary<string, Entry>? _entries;

    /// <summary>One cached figure and the code version it was counted with.</summary>
    sealed record Entry(string CodeVersion, ModelStatistics Statistics);

    /// <param name="path">The JSON file, or null to keep entries in memory only.</param>
    public ModelStatisticsCache(string? path) => _path = path;

    /// <summary>$XDG_CACHE_HOME/soseg/model-statistics.json, else ~/.cache/soseg/model-statistics.json.</summary>
    public static string DefaultPath => Path.Combine(UserCache.Folder, "model-statistics.json");

    /// <summary>The cache at <see cref="DefaultPath"/>.</summary>
    public static ModelStatisticsCache Default => new(DefaultPath);

    /// <summary>True when the statistics for this configuration are already known (no model needs building).</summary>
    public bool Contains(string model, int inChannels, int numClasses, ModelOptions options, int size)
    {
        lock (_gate) return Lookup(Key(model, inChannels, numClasses, options, size), CodeVersion(model)) is not null;
    }

    /// <summary>
    /// The statistics of a configuration: cached, or counted now (building the model, or using
    /// <paramref name="existing"/>, which must be that configuration) and stored.
    /// </summary>
    public ModelStatistics GetOrCompute(string model, int inChannels, int numClasses, ModelOptions options, int size,
                                        SegmentationModel? existing = null)
    {
        if (size < 1) throw new ArgumentException($"Input size must be positive, got {size}.");
        string key = Key(model, inChannels, numClasses, options, size), version = CodeVersion(model);
        lock (_gate)
            if (Lookup(key, version) is { } cached) return cached;

        var built = existing ?? ModelRegistry.Create(model, inChannels, numClasses, options);
        try
        {
            var statistics = new ModelStatistics(ModelRegistry.Get(model).Name, inChannels, numClasses, OptionsText(options), size,
                ModelAnalysis.ParameterCount(built), ModelAnalysis.CountFlops(built, size, size));
            lock (_gate)
            {
                Entries()[key] = new Entry(version, statistics);
                Store();
            }
            return statistics;
        }
        finally
        {
            if (existing is null) built.Dispose();
        }
    }

    static string OptionsText(ModelOptions options) =>
        string.Join(" ", options.Values.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase).Select(kv => $"{kv.Key.ToLowerInvariant()}={kv.Value}"));

    static string Key(string model, int inChannels, int numClasses, ModelOptions options, int size) =>
        $"{ModelRegistry.Get(model).Name.ToLowerInvariant()}|in={inChannels}|classes={numClasses}|size={size}|{OptionsText(options)}";

    /// <summary>The module version id of the assembly holding the model's factory: it changes whenever that code is rebuilt differently.</summary>
    static string CodeVersion(string model) => ModelRegistry.Get(model).Factory.Method.Module.ModuleVersionId.ToString("N");

    ModelStatistics? Lookup(string key, string version) =>
        Entries().TryGetValue(key, out var entry) && entry.CodeVersion == version ? entry.Statistics : null;

    Dictionary<string, Entry> Entries()
    {
        if (_entries is not null) return _entries;
        _entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        if (_path is null || !File.Exists(_path)) return _entries;
        try
        {
            var loaded = JsonSerializer.Deserialize<Dictionary<string, Entry>>(File.ReadAllText(_path), JsonOptions);
            if (loaded is not null) foreach (var (k, v) in loaded) _entries[k] = v;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // A damaged cache is only lost time: count again and overwrite it.
        }
        return _entries;
    }

    void Store()
    {
        if (_path is null) return;
        try
        {
            AtomicFile.WriteAllText(_path, JsonSerializer.Serialize(_entries, JsonOptions));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only home still gets its figures; they are just counted again next time.
        }
    }
}
