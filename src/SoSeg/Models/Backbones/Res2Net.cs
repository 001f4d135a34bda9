using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.Backbones;

/// <summary>
/// Res2Net v1b encoder (Gao et al., "Res2Net: A New Multi-scale Backbone Architecture", TPAMI 2021),
/// as PraNet, CaraNet and CFANet use it (their <c>Res2Net_v1b.py</c>): deep stem (3x3/2 to 32, 3x3 32,
/// 3x3 to 64, each BN-ReLU) + 3x3/2 max-pool, then four stages of <see cref="Bottle2neck"/> blocks with
/// widths 64/128/256/512 (x4 out). The classifier head (avg-pool + fc) is not built: segmentation never
/// uses it. Convolutions start from Kaiming-normal (fan-out) weights as in the official code.
/// </summary>
public sealed class Res2Net : nn.Module<Tensor, Res2NetFeatures>
{
    /// <summary>Output channels of <see cref="Res2NetFeatures.Stem"/>, X1, X2, X3, X4.</summary>
    public static readonly long[] Channels = [64, 256, 512, 1024, 2048];

    /// <summary>Stride of <see cref="Res2NetFeatures.Stem"/>, X1, X2, X3, X4 relative to the input.</summary>
    public static readonly int[] Strides = [4, 4, 8, 16, 32];

    readonly ConvBnAct stem1;
    readonly ConvBnAct stem2;
    readonly ConvBnAct stem3;
    readonly Sequential layer1;
    readonly Sequential layer2;
    readonly Sequential layer3;
    readonly Sequential layer4;

    /// <param name="inChannels">Image channels.</param>
    /// <param name="depths">Blocks per stage: [3, 4, 6, 3] for Res2Net-50, [3, 4, 23, 3] for Res2Net-101.</param>
    /// <param name="baseWidth">Group width at planes 64 (26).</param>
    /// <param name="scale">Groups per block (4).</param>
    public Res2Net(int inChannels, IReadOnlyList<int> depths, int baseWidth = 26, int scale = 4) : base(nameof(Res2Net))
    {
        if (depths.Count != 4 || depths.Any(d => d < 1))
            throw new ArgumentException($"Res2Net needs four stage depths of at least 1, got [{string.Join(", ", depths)}].", nameof(depths));
        if (baseWidth < 1) throw new ArgumentOutOfRangeException(nameof(baseWidth), "Res2Net base width must be at least 1.");
        stem1 = new ConvBnAct(inChannels, 32, 3, stride: 2);
        stem2 = new ConvBnAct(32, 32, 3);
        stem3 = new ConvBnAct(32, 64, 3);
        layer1 = Stage(64, 64, depths[0], 1, baseWidth, scale);
        layer2 = Stage(256, 128, depths[1], 2, baseWidth, scale);
        layer3 = Stage(512, 256, depths[2], 2, baseWidth, scale);
        layer4 = Stage(1024, 512, depths[3], 2, baseWidth, scale);
        RegisterComponents();

        using (torch.no_grad())
        {
            foreach (var module in modules())
                if (module is PrecisionConv2d conv)
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
        }
    }

    /// <summary>Res2Net-50 v1b 26w_4s (the PraNet and CFANet encoder).</summary>
    public static Res2Net V1b50(int inChannels, int baseWidth = 26, int scale = 4) => new(inChannels, [3, 4, 6, 3], baseWidth, scale);

    /// <summary>Res2Net-101 v1b 26w_4s (the CaraNet encoder).</summary>
    public static Res2Net V1b101(int inChannels, int baseWidth = 26, int scale = 4) => new(inChannels, [3, 4, 23, 3], baseWidth, scale);

    /// <summary>Builds the encoder named by a model option: "res2net50" or "res2net101".</summary>
    public static Res2Net FromName(string name, int inChannels, string modelName) => name.ToLowerInvariant() switch
    {
        "res2net50" => V1b50(inChannels),
        "res2net101" => V1b101(inChannels),
        _ => throw new ArgumentException($"Model '{modelName}': unknown backbone '{name}'. Known: res2net50, res2net101."),
    };

    static Sequential Stage(long inChannels, long planes, int blocks, long stride, int baseWidth, int scale)
    {
        var modules = new List<nn.Module<Tensor, Tensor>> { new Bottle2neck(inChannels, planes, stride, stage: true, baseWidth, scale) };
        for (int i = 1; i < blocks; i++) modules.Add(new Bottle2neck(planes * Bottle2neck.Expansion, planes, 1, stage: false, baseWidth, scale));
        return nn.Sequential(modules);
    }

    public override Res2NetFeatures forward(Tensor x)
    {
        Tensor stem;
        using (var s1 = stem1.call(x))
        using (var s2 = stem2.call(s1))
        using (var s3 = stem3.call(s2))
            stem = nn.functional.max_pool2d(s3, 3, stride: 2, padding: 1);
        var x1 = layer1.call(stem);
        var x2 = layer2.call(x1);
        var x3 = layer3.call(x2);
        var x4 = layer4.call(x3);
        return new Res2NetFeatures(stem, x1, x2, x3, x4);
    }

    /// <summary>ONNX export of <see cref="forward"/>.</summary>
    public Res2NetOnnxFeatures Export(OnnxGraph g, OnnxValue x)
    {
        var stem = g.MaxPool(stem3.Export(g, stem2.Export(g, stem1.Export(g, x))), 3, 2, padding: 1);
        var x1 = layer1.Export(g, stem);
        var x2 = layer2.Export(g, x1);
        var x3 = layer3.Export(g, x2);
        return new Res2NetOnnxFeatures(stem, x1, x2, x3, layer4.Export(g, x3));
    }
}
