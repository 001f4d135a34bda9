using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.CaraNet;

/// <summary>
/// CaraNet's channel-wise feature pyramid module (CFP; Lou et al., CFPNet; official <c>lib/context_module.py</c>):
/// BN-PReLU, 3x3 conv C -> C/4 (BN-PReLU), then four branches with dilations 1, d/4+1, d/2+1, d+1 (1, 3, 5, 9
/// for d = 8), each three grouped 3x3 convs (groups C/16) C/4 -> C/16 -> C/16 -> C/8 whose outputs are
/// concatenated (C/4 per branch); branch outputs are summed hierarchically (b1, b1+b2, b1+b2+b3, ...),
/// concatenated back to C, BN-PReLU, 1x1 conv, plus the input. All BN use eps 1e-3 as the official code.
/// </summary>
public sealed class ChannelwiseFeaturePyramid : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    const double BnEps = 1e-3;
    readonly StableBatchNorm2d inputNorm;
    readonly PrecisionPReLU inputActivation;
    readonly ConvBnAct reduce;
    readonly ModuleList<ModuleList<ConvBnAct>> branches;
    readonly StableBatchNorm2d outputNorm;
    readonly PrecisionPReLU outputActivation;
    readonly PrecisionConv2d project;

    /// <param name="channels">Input and output channels; a multiple of 16 (32 in CaraNet).</param>
    /// <param name="dilation">The module's d (8 in CaraNet).</param>
    public ChannelwiseFeaturePyramid(long channels, int dilation = 8) : base(nameof(ChannelwiseFeaturePyramid))
    {
        if (channels % 16 != 0) throw new ArgumentException($"CFP module: channels must be a multiple of 16, got {channels}.", nameof(channels));
        if (dilation < 0) throw new ArgumentOutOfRangeException(nameof(dilation), "CFP dilation must not be negative.");
        inputNorm = new StableBatchNorm2d(channels, BnEps);
        inputActivation = new PrecisionPReLU(channels);
        reduce = new ConvBnAct(channels, channels / 4, 3, activation: Activation.PReLU, bnEps: BnEps);
        long[] rates = [1, dilation / 4 + 1, dilation / 2 + 1, dilation + 1];
        branches = nn.ModuleList(rates.Select(rate => Branch(channels, rate)).ToArray());
        outputNorm = new StableBatchNorm2d(channels, BnEps);
        outputActivation = new PrecisionPReLU(channels);
        project = PrecisionLayers.Conv2d(channels, channels, 1, bias: false);
        RegisterComponents();
    }

    static ModuleList<ConvBnAct> Branch(long channels, long rate)
    {
        long groups = channels / 16;
        return nn.ModuleList(
            new ConvBnAct(channels / 4, channels / 16, 3, dilation: rate, groups: groups, activation: Activation.PReLU, bnEps: BnEps),
            new ConvBnAct(channels / 16, channels / 16, 3, dilation: rate, groups: groups, activation: Activation.PReLU, bnEps: BnEps),
            new ConvBnAct(channels / 16, channels / 8, 3, dilation: rate, groups: groups, activation: Activation.PReLU, bnEps: BnEps));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var reduced = reduce.call(inputActivation.call(inputNorm.call(x)));
        var pyramid = new List<Tensor>();
        Tensor? running = null;
        foreach (var branch in branches)
        {
            // Each branch keeps all three of its conv outputs (C/16 + C/16 + C/8 = C/4 channels).
            var outputs = new List<Tensor>();
            var y = reduced;
            foreach (var unit in branch)
            {
                y = unit.call(y);
                outputs.Add(y);
            }
            var branchOutput = torch.cat(outputs, 1);
            running = running is null ? branchOutput : running + branchOutput;
            pyramid.Add(running);
        }
        var fused = project.call(outputActivation.call(outputNorm.call(torch.cat(pyramid, 1))));
        return (fused + x).MoveToOuterDisposeScope();
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x)
    {
        var reduced = reduce.Export(g, inputActivation.Export(g, inputNorm.Export(g, x)));
        var pyramid = new List<OnnxValue>();
        OnnxValue? running = null;
        foreach (var branch in branches)
        {
            var outputs = new List<OnnxValue>();
            var y = reduced;
            foreach (var unit in branch)
            {
                y = unit.Export(g, y);
                outputs.Add(y);
            }
            var branchOutput = g.Concat(1, [.. outputs]);
            running = running is null ? branchOutput : running + branchOutput;
            pyramid.Add(running);
        }
        return project.Export(g, outputActivation.Export(g, outputNorm.Export(g, g.Concat(1, [.. pyramid])))) + x;
    }
}
