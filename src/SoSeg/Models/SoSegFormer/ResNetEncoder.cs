using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// ResNet-style encoder (ResNet-50 with the default widths and depths): stem 7x7/2 conv-BN-ReLU (F1 at
/// 1/2), 3x3/2 max-pool, then four layers of <see cref="Bottleneck"/>s (F2..F5 at 1/4..1/32, width x 4
/// channels each; layers 2-4 start with stride 2).
/// </summary>
public sealed class ResNetEncoder : nn.Module<Tensor, Tensor[]>
{
    readonly ConvBnAct stem;
    readonly MaxPool2d pool;
    readonly ModuleList<Sequential> layers;

    public ResNetEncoder(long inChannels, long stemWidth, IReadOnlyList<int> widths, IReadOnlyList<int> depths, double bnEps)
        : base(nameof(ResNetEncoder))
    {
        if (widths.Count != depths.Count) throw new ArgumentException("ResNet encoder: one depth per width.");
        stem = new ConvBnAct(inChannels, stemWidth, 7, stride: 2, bnEps: bnEps);
        pool = nn.MaxPool2d(3, stride: 2, padding: 1);
        var built = new List<Sequential>();
        long channels = stemWidth;
        for (int i = 0; i < widths.Count; i++)
        {
            built.Add(Bottleneck.Layer(channels, widths[i], depths[i], stride: i == 0 ? 1 : 2, bnEps: bnEps));
            channels = (long)widths[i] * Bottleneck.Expansion;
        }
        layers = new ModuleList<Sequential>(built.ToArray());
        RegisterComponents();
    }

    /// <summary>F1 (stem, 1/2) then one feature map per layer.</summary>
    public override Tensor[] forward(Tensor x)
    {
        var features = new Tensor[layers.Count + 1];
        features[0] = stem.call(x);
        using var pooled = pool.call(features[0]);
        var current = pooled;
        for (int i = 0; i < layers.Count; i++)
        {
            features[i + 1] = layers[i].call(current);
            current = features[i + 1];
        }
        return features;
    }

    /// <summary>ONNX export of <see cref="forward"/>.</summary>
    public OnnxValue[] Export(OnnxGraph g, OnnxValue x)
    {
        var features = new OnnxValue[layers.Count + 1];
        features[0] = stem.Export(g, x);
        var current = pool.Export(g, features[0]);
        for (int i = 0; i < layers.Count; i++) current = features[i + 1] = layers[i].Export(g, current);
        return features;
    }
}
