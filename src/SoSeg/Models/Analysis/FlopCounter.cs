using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.Analysis;

/// <summary>
/// Counts multiply-accumulates (MACs) from the layers a real forward pass runs, the way fvcore does:
/// forward hooks on generic layer types read the actual input and output shapes, and custom operations
/// with no layer of their own (attention matrix products, functional resizing) add their cost through
/// <see cref="Add"/>. One count is one MAC for convolutions, linear layers and matrix products; norms,
/// adaptive average pooling and interpolation count their per-element work as fvcore does; element-wise
/// activations, additions and softmax are not counted (fvcore ignores them too). <see cref="FlopReport"/>
/// gives both the fvcore total and the 2 x product-MACs "GFLOPs" SoSeg reports.
/// </summary>
/// <remarks>
/// Hooks fire only for modules invoked with <c>call(x)</c> (TorchSharp runs no hooks for <c>forward(x)</c>);
/// <see cref="FlopReport.UnvisitedLayers"/> lists convolution and linear layers that never ran, so a
/// layer invoked through <c>forward</c> (or never used) is visible rather than silently uncounted.
/// </remarks>
public sealed class FlopCounter : IDisposable
{
    /// <summary>Operation names used in <see cref="FlopReport.MacsByOperation"/>.</summary>
    public static class Operations
    {
        public const string Convolution = "conv";
        public const string TransposedConvolution = "conv-transpose";
        public const string Linear = "linear";
        public const string Normalization = "norm";
        public const string Pooling = "pool";
        public const string Interpolation = "interpolate";
        public const string Attention = "attention";
    }

    [ThreadStatic] static FlopCounter? _active;

    readonly FlopCounter? _outer;
    readonly List<Action> _removers = [];
    readonly Dictionary<nn.Module, string> _names = new(ReferenceEqualityComparer.Instance);
    readonly HashSet<nn.Module> _visited = new(ReferenceEqualityComparer.Instance);
    readonly List<nn.Module> _countedLayers = [];
    readonly Dictionary<string, long> _byOperation = new(StringComparer.Ordinal);
    readonly Dictionary<string, long> _byModule = new(StringComparer.Ordinal);
    readonly Stack<string> _running = new();
    bool _disposed;

    /// <summary>Hooks every layer of <paramref name="model"/> and makes this the counter <see cref="Add"/> reports to on this thread.</summary>
    public FlopCounter(nn.Module model)
    {
        // The model itself first: a single layer can be counted too.
        foreach (var (name, module) in model.named_modules().Prepend(("", model)))
        {
            if (!_names.TryAdd(module, name)) continue;
            if (module is not nn.Module<Tensor, Tensor> layer) continue;
            // Track which module runs, so custom costs are attributed to the part of the network that reported them.
            var pre = layer.register_forward_pre_hook(_ => _running.Push(name));
            var post = layer.register_forward_hook(_ => { if (_running.Count > 0) _running.Pop(); });
            _removers.Add(pre.remove);
            _removers.Add(post.remove);
            if (!IsCountedType(layer)) continue;
            _countedLayers.Add(layer);
            var count = layer.register_forward_hook((m, input, output) =>
            {
                _visited.Add(m);
                Record(OperationOf(m), LayerMacs(m, input, output), name);
                return null!;
            });
            _removers.Add(count.remove);
        }
        _outer = _active;
        _active = this;
    }

    /// <summary>True while a counter is active on this thread (custom operations can skip computing their cost otherwise).</summary>
    public static bool IsCounting => _active is not null;

    /// <summary>
    /// Adds the cost of an operation that has no layer of its own (attention products, functional
    /// interpolation) to the counter active on this thread; does nothing when none is.
    /// </summary>
    public static void Add(string operation, long macs)
    {
        var counter = _active;
        if (counter is null || macs <= 0) return;
        counter.Record(operation, macs, counter._running.Count > 0 ? counter._running.Peek() : "");
    }

    /// <summary>Adds the cost of interpolating to <paramref name="output"/> (per output element: 1 nearest, 2 linear, 4 bilinear, 8 trilinear, 16 bicubic).</summary>
    public static void AddInterpolation(Tensor output, InterpolationMode mode)
    {
        if (!IsCounting) return;
        Add(Operations.Interpolation, output.numel() * InterpolationWeights(mode));
    }

    /// <summary>
    /// Runs <paramref name="model"/> once on <paramref name="input"/> without gradients and counts it.
    /// The model's train/eval mode is left as it is (eval is what deployment costs).
    /// </summary>
    public static FlopReport Measure(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        using var counter = new FlopCounter(model);
        using (torch.no_grad())
        using (torch.NewDisposeScope())
            model.call(input);
        return counter.Report();
    }

    /// <summary>The counts so far.</summary>
    public FlopReport Report()
    {
        var unvisited = _countedLayers
            .Where(l => !_visited.Contains(l) && l is Convolution or Linear or PrecisionLayer)
            .Select(l => _names[l]).ToList();
        return new FlopReport(
            _byOperation.Values.Sum(),
            new SortedDictionary<string, long>(_byOperation, StringComparer.Ordinal),
            new SortedDictionary<string, long>(_byModule, StringComparer.Ordinal),
            unvisited);
    }

    void Record(string operation, long macs, string modulePath)
    {
        if (macs <= 0) return;
        _byOperation[operation] = _byOperation.GetValueOrDefault(operation) + macs;
        string top = modulePath.Length == 0 ? "(model)" : modulePath.Split('.')[0];
        _byModule[top] = _byModule.GetValueOrDefault(top) + macs;
    }

    static bool IsCountedType(nn.Module m) =>
        m is Convolution or Linear or PrecisionLayer or NormBase or LayerNorm or GroupNorm
            or AdaptiveAvgPool1d or AdaptiveAvgPool2d or AdaptiveAvgPool3d or Upsample;

    static string OperationOf(nn.Module m) => m switch
    {
        ConvolutionTranspose or PrecisionConvTranspose2d => Operations.TransposedConvolution,
        Convolution or PrecisionConv2d => Operations.Convolution,
        Linear or PrecisionLinear => Operations.Linear,
        NormBase or LayerNorm or GroupNorm => Operations.Normalization,
        Upsample => Operations.Interpolation,
        _ => Operations.Pooling,
    };

    /// <summary>MACs of one layer call, from the shapes it actually saw (fvcore's rules).</summary>
    static long LayerMacs(nn.Module m, Tensor input, Tensor output)
    {
        switch (m)
        {
            case ConvolutionTranspose transposed:
            {
                // Each input element is scattered through Cout/groups x kernel weights: weight is Cin x Cout/g x k...
                var w = transposed.weight.shape;
                return input.numel() * Product(w, 1);
            }
            case Convolution conv:
            {
                // Each output element gathers Cin/groups x kernel weights: weight is Cout x Cin/g x k...
                var w = conv.weight.shape;
                return output.numel() * Product(w, 1);
            }
            case Linear linear:
                return output.numel() * linear.weight.shape[1];
            case PrecisionConvTranspose2d transposed:
                return input.numel() * Product(transposed.weight.shape, 1);
            case PrecisionConv2d conv:
                return output.numel() * Product(conv.weight.shape, 1);
            case PrecisionLinear linear:
                return output.numel() * linear.weight.shape[1];
            case BatchNorm bn:
                // In inference batch norm is one scale (and one shift when affine) per element; in training fvcore counts 4-5.
                return input.numel() * (bn.training ? (bn.affine ? 5 : 4) : (bn.affine ? 2 : 1));
            case NormBase instanceNorm:
                return input.numel() * (instanceNorm.affine ? 5 : 4);
            case LayerNorm layerNorm:
                return input.numel() * (layerNorm.weight is null ? 4 : 5);
            case GroupNorm groupNorm:
                return input.numel() * (groupNorm.weight is null ? 4 : 5);
            case Upsample upsample:
                return output.numel() * upsample.mode switch
                {
                    UpsampleMode.Nearest => 1,
                    UpsampleMode.Linear => 2,
                    UpsampleMode.Bilinear => 4,
                    UpsampleMode.Trilinear => 8,
                    UpsampleMode.Bicubic => 16,
                    _ => 1,
                };
            default:
                // Adaptive average pooling: one addition per input element.
                return input.numel();
        }
    }

    static long InterpolationWeights(InterpolationMode mode) => mode switch
    {
        InterpolationMode.Linear => 2,
        InterpolationMode.Bilinear => 4,
        InterpolationMode.Trilinear => 8,
        InterpolationMode.Bicubic => 16,
        _ => 1,
    };

    static long Product(long[] shape, int from)
    {
        long p = 1;
        for (int i = from; i < shape.Length; i++) p *= shape[i];
        return p;
    }

    /// <summary>Removes the hooks and restores the counter that was active before.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var remove in _removers) remove();
        _active = _outer;
    }
}
