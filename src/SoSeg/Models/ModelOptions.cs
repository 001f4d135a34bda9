using System.Globalization;

namespace SoSeg.Models;

/// <summary>An option a model reads, declared once: <see cref="Info"/> lists it, <see cref="ModelOptions"/>' <c>Get</c> reads it.</summary>
public sealed record ModelOption<T>(string Key, T Default, string Description)
{
    /// <summary>The listing for <c>soseg models</c>, the default written as it would be given.</summary>
    public ModelOptionInfo Info => new(Key, Default switch
    {
        bool b => b ? "true" : "false",
        int[] list => string.Join(",", list.Select(i => i.ToString(CultureInfo.InvariantCulture))),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Default?.ToString() ?? "",
    }, Description);
}

/// <summary>
/// Free-form model options given as key=value (CLI: <c>--model-option depth=2</c>). Each model reads the
/// keys it knows with a default; <see cref="EnsureAllUsed"/> then rejects keys no one read, so a typo is
/// an error rather than a silently ignored setting.
/// </summary>
public sealed class ModelOptions
{
    readonly Dictionary<string, string> _values;
    readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

    public ModelOptions(IReadOnlyDictionary<string, string>? values = null) =>
        _values = new Dictionary<string, string>(values ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);

    public static ModelOptions Empty => new();

    /// <summary>Parses "key=value" strings.</summary>
    public static ModelOptions Parse(IEnumerable<string>? pairs)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in pairs ?? [])
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"Model option '{pair}' is not of the form key=value.");
            values[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return new ModelOptions(values);
    }

    public IReadOnlyDictionary<string, string> Values => _values;

    public string GetString(string key, string defaultValue)
    {
        _used.Add(key);
        return _values.TryGetValue(key, out var v) ? v : defaultValue;
    }

    public int GetInt(string key, int defaultValue) => Get(key, defaultValue, s => int.Parse(s, CultureInfo.InvariantCulture));
    public double GetDouble(string key, double defaultValue) => Get(key, defaultValue, s =>
        double.Parse(s, CultureInfo.InvariantCulture) is var value && double.IsFinite(value) ? value : throw new FormatException());
    public bool GetBool(string key, bool defaultValue) => Get(key, defaultValue, s => s.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => throw new FormatException(),
    });

    /// <summary>Reads a declared option: its key, falling back to its default.</summary>
    public int Get(ModelOption<int> option) => GetInt(option.Key, option.Default);
    public double Get(ModelOption<double> option) => GetDouble(option.Key, option.Default);
    public bool Get(ModelOption<bool> option) => GetBool(option.Key, option.Default);
    public string Get(ModelOption<string> option) => GetString(option.Key, option.Default);
    public int[] Get(ModelOption<int[]> option) => GetIntList(option.Key, [.. option.Default]);

    /// <summary>Comma-separated integers, e.g. widths=32,64,128.</summary>
    public int[] GetIntList(string key, int[] defaultValue) =>
        Get(key, defaultValue, s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray());

    /// <summary>Comma-separated strings, e.g. attention=linear,linear,mhsa,mhsa.</summary>
    public string[] GetStringList(string key, string[] defaultValue) =>
        Get(key, defaultValue, s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    T Get<T>(string key, T defaultValue, Func<string, T> parse)
    {
        _used.Add(key);
        if (!_values.TryGetValue(key, out var text)) return defaultValue;
        try { return parse(text); }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ArgumentException($"Model option {key}={text}: cannot read '{text}' as {(typeof(T) == typeof(double) ? "a finite number" : typeof(T).Name)}.");
        }
    }

    /// <summary>Throws when an option was given that the model never read.</summary>
    public void EnsureAllUsed(string modelName)
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Model '{modelName}' has no option(s) {string.Join(", ", unknown)}. " +
                                        $"Known: {string.Join(", ", _used.OrderBy(k => k))}.");
    }

    public override string ToString() => string.Join(" ", _values.Select(kv => $"{kv.Key}={kv.Value}"));
}
