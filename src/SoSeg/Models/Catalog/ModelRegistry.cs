using SoSeg.Models;
namespace SoSeg.Models.Catalog;

/// <summary>
/// Name -> factory. Built-in families register themselves in <see cref="BuiltInModels"/> (one line per
/// family); the shared model tests run over everything registered here.
/// </summary>
public static class ModelRegistry
{
    static readonly Dictionary<string, ModelDescriptor> Models = new(StringComparer.OrdinalIgnoreCase);
    static readonly object Gate = new();
    static bool _builtInsLoaded;

    /// <summary>Adds a model; names are unique (case-insensitive).</summary>
    public static void Register(ModelDescriptor descriptor)
    {
        lock (Gate)
        {
            if (!Models.TryAdd(descriptor.Name, descriptor))
                throw new InvalidOperationException($"A model named '{descriptor.Name}' is already registered.");
        }
    }

    /// <summary>Every registered model in registration order of families, then by name.</summary>
    public static IReadOnlyList<ModelDescriptor> All
    {
        get { EnsureBuiltIns(); lock (Gate) return Models.Values.ToList(); }
    }

    /// <summary>The descriptor for a name; the error lists the known names.</summary>
    public static ModelDescriptor Get(string name)
    {
        EnsureBuiltIns();
        lock (Gate)
        {
            if (Models.TryGetValue(name, out var d)) return d;
            throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", Models.Keys)}.");
        }
    }

    /// <summary>Builds a model and checks every given option was understood.</summary>
    public static SegmentationModel Create(string name, int inChannels, int numClasses, ModelOptions? options = null)
    {
        var descriptor = Get(name);
        options ??= ModelOptions.Empty;
        options.ModelName = descriptor.Name;
        var model = descriptor.Factory(new ModelConfig(inChannels, numClasses, options));
        options.EnsureAllUsed(descriptor.Name);
        return model;
    }

    /// <summary>
    /// The loss model <paramref name="name"/>'s own paper trains it with under these options (the <c>model</c> loss),
    /// or null when that loss is cross-entropy.
    /// </summary>
    public static ISegmentationLoss? PaperLoss(string name, ModelOptions? options = null)
    {
        var descriptor = Get(name);
        options ??= ModelOptions.Empty;
        options.ModelName = descriptor.Name;
        return descriptor.PaperLossFor(options);
    }

    static void EnsureBuiltIns()
    {
        lock (Gate)
        {
            if (_builtInsLoaded) return;
            _builtInsLoaded = true;
            foreach (var descriptor in BuiltInModels.Descriptors()) Register(descriptor);
        }
    }
}
