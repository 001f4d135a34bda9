using System.Globalization;

namespace SoSeg.Models;

/// <summary>How a model option's value is written as text and read back ("k=v" on the command line, in config.json and checkpoints).</summary>
public sealed record ModelOptionType<T>(string Expected, Func<string, T> Parse, Func<T, string> Format);

/// <summary>The value types model options use; <see cref="Choice{T}"/> maps names to values (an enum, a flag).</summary>
public static class ModelOptionTypes
{
    public static ModelOptionType<int> Int { get; } = new("an integer", s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture),
        v => v.ToString(CultureInfo.InvariantCulture));

    public static ModelOptionType<double> Double { get; } = new("a finite number",
        s => double.Parse(s, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture) is var value && double.IsFinite(value) ? value : throw new FormatException(),
        v => v.ToString("R", CultureInfo.InvariantCulture));

    public static ModelOptionType<bool> Bool { get; } = new("true or false", s => s.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "on" => true,
        "false" or "0" or "no" or "off" => false,
        _ => throw new FormatException(),
    }, v => v ? "true" : "false");

    public static ModelOptionType<string> String { get; } = new("text", s => s, v => v);

    /// <summary>Comma-separated integers, e.g. widths=32,64,128.</summary>
    public static ModelOptionType<int[]> IntList { get; } = ListOf(Int);

    /// <summary>Comma-separated strings, e.g. attention=linear,linear,mhsa,mhsa.</summary>
    public static ModelOptionType<string[]> StringList { get; } = ListOf(String);

    /// <summary>Comma-separated values of <paramref name="item"/>.</summary>
    public static ModelOptionType<T[]> ListOf<T>(ModelOptionType<T> item) => new($"comma-separated values, each {item.Expected}",
        s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(item.Parse).ToArray(),
        v => string.Join(",", v.Select(item.Format)));

    /// <summary>One of the named values (case-insensitive); the first name of a value is the one written back, the others are accepted aliases.</summary>
    public static ModelOptionType<T> Choice<T>(params (string Name, T Value)[] names) where T : notnull
    {
        var primary = names.Where(n => names.First(m => EqualityComparer<T>.Default.Equals(m.Value, n.Value)).Name == n.Name)
            .Select(n => n.Name).ToArray();
        return new(string.Join(" or ", primary),
            s => names.FirstOrDefault(n => string.Equals(n.Name, s.Trim(), StringComparison.OrdinalIgnoreCase)) is { Name: not null } hit ? hit.Value : throw new FormatException(),
            v => names.First(n => EqualityComparer<T>.Default.Equals(n.Value, v)).Name);
    }

    /// <summary>The type for int, double, bool, string, int[] and string[] values.</summary>
    public static ModelOptionType<T> For<T>() => (object)(typeof(T) switch
    {
        var t when t == typeof(int) => Int,
        var t when t == typeof(double) => Double,
        var t when t == typeof(bool) => Bool,
        var t when t == typeof(string) => String,
        var t when t == typeof(int[]) => IntList,
        var t when t == typeof(string[]) => StringList,
        _ => throw new ArgumentException($"Model options of type {typeof(T).Name} need a ModelOptionType (e.g. ModelOptionTypes.Choice)."),
    }) as ModelOptionType<T> ?? throw new InvalidOperationException();
}

/// <summary>An option a model reads, without its value type: what <c>soseg models</c> and the docs list.</summary>
public abstract class ModelOption(string key, string description)
{
    public string Key { get; } = key;
    public string Description { get; } = description;

    /// <summary>The default as it would be given on the command line.</summary>
    public abstract string DefaultText { get; }

    /// <summary>The listing for <c>soseg models</c>.</summary>
    public ModelOptionInfo Info => new(Key, DefaultText, Description);
}

/// <summary>
/// An option a model reads, declared once: key, value type (how it is written and read), default, description and
/// the rule its value must meet. <see cref="ModelOptions.Get{T}(ModelOption{T})"/> reads it and reports a bad value
/// naming the key and the model.
/// </summary>
public sealed class ModelOption<T> : ModelOption
{
    readonly Func<T, string?>? _validate;

    /// <param name="validate">Returns the problem with a value ("must be at least 1"), or null when it is fine.</param>
    public ModelOption(string key, T @default, string description, ModelOptionType<T>? type = null, Func<T, string?>? validate = null)
        : base(key, description)
    {
        Default = @default;
        Type = type ?? ModelOptionTypes.For<T>();
        _validate = validate;
    }

    public T Default { get; }
    public ModelOptionType<T> Type { get; }
    public override string DefaultText => Type.Format(Default);

    /// <summary>The same option with another default (a variant of a family).</summary>
    public ModelOption<T> WithDefault(T @default) => new(Key, @default, Description, Type, _validate);

    /// <summary>The problem with <paramref name="value"/>, or null.</summary>
    public string? Problem(T value) => _validate?.Invoke(value);

    public string Format(T value) => Type.Format(value);
}

/// <summary>
/// Model options given as key=value (CLI: <c>--model-option depth=2</c>, config.json, checkpoints). Each model reads
/// the keys it declares (<see cref="ModelOption{T}"/>) with their defaults; <see cref="EnsureAllUsed"/> then rejects
/// keys no one read, so a typo is an error rather than a silently ignored setting. Every error has the form
/// "Model 'NAME' option KEY=VALUE: problem." (the model part once the registry names the model).
/// </summary>
public sealed class ModelOptions
{
    readonly Dictionary<string, string> _values;
    readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

    public ModelOptions(IReadOnlyDictionary<string, string>? values = null) =>
        _values = new Dictionary<string, string>(
            (values ?? new Dictionary<string, string>()).Select(kv => KeyValuePair.Create(kv.Key.Trim(), kv.Value.Trim())),
            StringComparer.OrdinalIgnoreCase);

    public static ModelOptions Empty => new();

    /// <summary>The model reading these options, for error messages (set by the registry before it builds the model).</summary>
    public string? ModelName { get; set; }

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

    /// <summary>The key=value pairs as stored in config.json and checkpoints.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>The pairs as a plain dictionary (what settings and checkpoints hold).</summary>
    public Dictionary<string, string> ToDictionary() => new(_values, StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads a declared option: its given value, checked, or its default.</summary>
    public T Get<T>(ModelOption<T> option) => Get(option, option.Default);

    /// <summary>Reads a declared option, falling back to <paramref name="defaultValue"/> (a variant's default).</summary>
    public T Get<T>(ModelOption<T> option, T defaultValue)
    {
        _used.Add(option.Key);
        if (!_values.TryGetValue(option.Key, out var text)) return defaultValue;
        T value;
        try { value = option.Type.Parse(text); }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw Error(option.Key, $"cannot read '{text}' as {option.Type.Expected}");
        }
        if (option.Problem(value) is { } problem) throw Error(option.Key, problem);
        return value;
    }

    public string GetString(string key, string defaultValue) => Get(new ModelOption<string>(key, defaultValue, ""));
    public int GetInt(string key, int defaultValue) => Get(new ModelOption<int>(key, defaultValue, ""));
    public double GetDouble(string key, double defaultValue) => Get(new ModelOption<double>(key, defaultValue, ""));
    public bool GetBool(string key, bool defaultValue) => Get(new ModelOption<bool>(key, defaultValue, ""));
    public int[] GetIntList(string key, int[] defaultValue) => Get(new ModelOption<int[]>(key, defaultValue, ""));
    public string[] GetStringList(string key, string[] defaultValue) => Get(new ModelOption<string[]>(key, defaultValue, ""));

    /// <summary>The one error format: names the model (when known), the key and, when given, the value.</summary>
    public ArgumentException Error(string key, string problem)
    {
        string model = ModelName is null ? "Model" : $"Model '{ModelName}'";
        string given = _values.TryGetValue(key, out var text) ? $"{key}={text}" : key;
        return new ArgumentException($"{model} option {given}: {problem.TrimEnd('.')}.");
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

/// <summary>
/// Binds a family's typed options record to its declared <see cref="ModelOption{T}"/>s: "k=v" pairs to the record
/// (<see cref="Read"/>), the record back to pairs (<see cref="Write"/>) and the listing with a variant's defaults
/// (<see cref="Describe"/>).
/// </summary>
public sealed class ModelOptionBinder<TOptions>
{
    readonly List<Binding> _bindings = [];

    abstract record Binding(ModelOption Option)
    {
        public abstract TOptions Read(TOptions current, ModelOptions given);
        public abstract string Format(TOptions options);
        public abstract string? Problem(TOptions options);
    }

    sealed record Binding<T>(ModelOption<T> Typed, Func<TOptions, T> GetValue, Func<TOptions, T, TOptions> SetValue) : Binding(Typed)
    {
        public override TOptions Read(TOptions current, ModelOptions given) => SetValue(current, given.Get(Typed, GetValue(current)));
        public override string Format(TOptions options) => Typed.Format(GetValue(options));
        public override string? Problem(TOptions options) => Typed.Problem(GetValue(options));
    }

    /// <summary>Declares an option and the property it sets (its default comes from the variant's record).</summary>
    public ModelOptionBinder<TOptions> Bind<T>(ModelOption<T> option, Func<TOptions, T> get, Func<TOptions, T, TOptions> set)
    {
        if (_bindings.Any(b => string.Equals(b.Option.Key, option.Key, StringComparison.OrdinalIgnoreCase)))
            throw new InvalidOperationException($"Model option '{option.Key}' is declared twice.");
        _bindings.Add(new Binding<T>(option, get, set));
        return this;
    }

    public IReadOnlyList<ModelOption> Options => _bindings.Select(b => b.Option).ToList();

    /// <summary>Every given key over <paramref name="defaults"/>; a bad value is an error naming the key (and the model).</summary>
    public TOptions Read(TOptions defaults, ModelOptions given) => _bindings.Aggregate(defaults, (current, b) => b.Read(current, given));

    /// <summary>Every option of <paramref name="options"/> as key=value pairs (reading them back gives the same record).</summary>
    public Dictionary<string, string> Write(TOptions options) =>
        _bindings.ToDictionary(b => b.Option.Key, b => b.Format(options), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Checks every value of <paramref name="options"/> (also a record built in code) against its declaration's rule;
    /// the error has the same form as for a given key=value.
    /// </summary>
    public void Validate(TOptions options, string modelName)
    {
        foreach (var binding in _bindings)
            if (binding.Problem(options) is { } problem)
                throw new ArgumentException($"Model '{modelName}' option {binding.Option.Key}={binding.Format(options)}: {problem.TrimEnd('.')}.");
    }

    /// <summary>Every option with <paramref name="defaults"/>' values as defaults, for <c>soseg models</c> and the docs.</summary>
    public IReadOnlyList<ModelOptionInfo> Describe(TOptions defaults) =>
        _bindings.Select(b => new ModelOptionInfo(b.Option.Key, b.Format(defaults), b.Option.Description)).ToList();
}
