using TorchSharp;

namespace SoSeg.Models.Blocks;

/// <summary>
/// Submodules registered under string keys (state-dict keys <c>&lt;field&gt;.&lt;key&gt;.…</c>). Use it
/// instead of TorchSharp's <c>ModuleDict</c>: in TorchSharp 0.107.0 a <c>ModuleDict</c> makes
/// <c>Module.to(dtype or device)</c> throw "An item with the same key has already been added. Key: Item".
/// </summary>
public sealed class ModuleMap<T> : torch.nn.Module where T : torch.nn.Module
{
    readonly Dictionary<string, T> _modules = new(StringComparer.Ordinal);

    public ModuleMap() : base(nameof(ModuleMap<T>)) { }

    /// <summary>Registers <paramref name="module"/> under <paramref name="key"/>; keys are unique.</summary>
    public void Add(string key, T module)
    {
        if (!_modules.TryAdd(key, module))
            throw new ArgumentException($"ModuleMap: the key '{key}' is already taken.", nameof(key));
        register_module(key, module);
    }

    /// <summary>The module registered under <paramref name="key"/>.</summary>
    public T this[string key] => _modules.TryGetValue(key, out var module)
        ? module
        : throw new KeyNotFoundException($"ModuleMap: no module under '{key}'. Keys: {string.Join(", ", _modules.Keys)}.");

    /// <summary>Number of modules.</summary>
    public int Count => _modules.Count;

    /// <summary>The keys in registration order.</summary>
    public IEnumerable<string> Keys => _modules.Keys;
}
