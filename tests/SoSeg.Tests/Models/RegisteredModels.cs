using SoSeg.Models;
using SoSeg.Runtime;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models;

/// <summary>
/// Every registered model for xunit theories, and one cached instance per model (3 channels, 2 classes)
/// shared by the tests of <see cref="RegisteredModelTests"/> that only run it in eval mode, so a
/// paper-scale model is built once rather than per test. Tests that change weights, statistics or
/// gradients build their own instance, so no result depends on which test ran first.
/// </summary>
public sealed class RegisteredModels : IDisposable
{
    /// <summary>Models above this size get the smallest inputs that still exercise every path.</summary>
    public const long LargeModelParameters = 50_000_000;

    readonly Dictionary<string, SegmentationModel> _models = new(StringComparer.OrdinalIgnoreCase);
    readonly object _gate = new();

    /// <summary>Theory data: every registered model name.</summary>
    public static IEnumerable<object[]> Names => ModelRegistry.All.Select(d => new object[] { d.Name });

    /// <summary>The shared 3-channel, 2-class instance of <paramref name="name"/>.</summary>
    public SegmentationModel Get(string name)
    {
        lock (_gate)
        {
            if (_models.TryGetValue(name, out var model)) return model;
            TorchRuntime.Initialise();
            model = ModelRegistry.Create(name, 3, 2);
            _models[name] = model;
            return model;
        }
    }

    /// <summary>True for models over <see cref="LargeModelParameters"/>.</summary>
    public bool IsLarge(string name) => Get(name).ParameterCount() > LargeModelParameters;

    public void Dispose()
    {
        foreach (var model in _models.Values) model.Dispose();
        _models.Clear();
    }
}
