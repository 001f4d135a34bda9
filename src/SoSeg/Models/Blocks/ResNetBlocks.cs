using SoSeg.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.Blocks;

/// <summary>
/// ResNet BasicBlock (He et al. 2016): 3x3 -> 3x3 with identity or 1x1 projection shortcut. Used by
/// HRNet's branches.
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    public const int Expansion = 1;
    readonly ConvBnAct conv1;
    readonly ConvBnAct conv2;
    readonly nn.Module<Tensor, Tensor>? downsample;

    public BasicBlock(long inChannels, long channels, long stride = 1, double bnEps = 1e-5) : base(nameof(BasicBlock))
    {
        conv1 = new ConvBnAct(inChannels, channels, 3, stride, bnEps: bnEps);
        conv2 = new ConvBnAct(channels, channels, 3, 1, activation: Activation.None, bnEps: bnEps);
        if (stride != 1 || inChannels != channels)
            downsample = new ConvBnAct(inChannels, channels, 1, stride, activation: Activation.None, bnEps: bnEps);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var y = conv2.call(conv1.call(x));
        var shortcut = downsample is null ? x : downsample.call(x);
        return nn.functional.relu(y + shortcut);
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x)
    {
        var y = conv2.Export(g, conv1.Export(g, x));
        return g.Relu(y + (downsample is null ? x : downsample.Export(g, x)));
    }
}

/// <summary>
/// ResNet Bottleneck: 1x1 reduce -> 3x3 (carries the stride, as torchvision's v1.5) -> 1x1 expand (x4),
/// with identity or 1x1 projection shortcut. The paper's "bottleneck" (1x1, 3x3, 1x1).
/// </summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    public const int Expansion = 4;
    readonly ConvBnAct conv1;
    readonly ConvBnAct conv2;
    readonly ConvBnAct conv3;
    readonly nn.Module<Tensor, Tensor>? downsample;

    /// <param name="channels">Width of the 3x3; the output has channels * 4.</param>
    public Bottleneck(long inChannels, long channels, long stride = 1, double bnEps = 1e-5)
        : base(nameof(Bottleneck))
    {
        long outChannels = channels * Expansion;
        conv1 = new ConvBnAct(inChannels, channels, 1, bnEps: bnEps);
        conv2 = new ConvBnAct(channels, channels, 3, stride, bnEps: bnEps);
        conv3 = new ConvBnAct(channels, outChannels, 1, activation: Activation.None, bnEps: bnEps);
        if (stride != 1 || inChannels != outChannels)
            downsample = new ConvBnAct(inChannels, outChannels, 1, stride, activation: Activation.None, bnEps: bnEps);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var y = conv3.call(conv2.call(conv1.call(x)));
        var shortcut = downsample is null ? x : downsample.call(x);
        return nn.functional.relu(y + shortcut);
    }

    /// <summary>A ResNet layer: <paramref name="blocks"/> bottlenecks, the first carrying the stride.</summary>
    public static Sequential Layer(long inChannels, long channels, int blocks, long stride, double bnEps = 1e-5)
    {
        var modules = new List<nn.Module<Tensor, Tensor>> { new Bottleneck(inChannels, channels, stride, bnEps: bnEps) };
        for (int i = 1; i < blocks; i++) modules.Add(new Bottleneck(channels * Expansion, channels, bnEps: bnEps));
        return nn.Sequential(modules);
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x)
    {
        var y = conv3.Export(g, conv2.Export(g, conv1.Export(g, x)));
        return g.Relu(y + (downsample is null ? x : downsample.Export(g, x)));
    }
}
