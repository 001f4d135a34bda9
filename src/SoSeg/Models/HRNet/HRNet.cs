using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.HRNet;

/// <summary>How HRNet's weights start.</summary>
public enum HRNetInit
{
    /// <summary>As the official <c>init_weights</c>: conv weights N(0, 0.001), BN weight 1 and bias 0 (other biases keep the default).</summary>
    Official,

    /// <summary>TorchSharp's (PyTorch's) default initialisation of each layer.</summary>
    PyTorch,
}

/// <summary>
/// HRNetV2 for semantic segmentation (Wang et al., "Deep High-Resolution Representation Learning for
/// Visual Recognition", TPAMI 2020), after the official HRNet-Semantic-Segmentation
/// <c>lib/models/seg_hrnet.py</c>. Stem: two 3x3 stride-2 conv-BN-ReLU (64) to 1/4; stage 1: Bottlenecks
/// to 256; then stages of 2, 3, 4 parallel branches (1/4 .. 1/32, widths W .. 8W) made of
/// <see cref="HighResolutionModule"/>s joined by <see cref="HRNetTransition"/>s. Head (HRNetV2): all
/// branches upsampled bilinearly to 1/4 and concatenated (15W channels), 1x1 conv (with bias) + BN +
/// ReLU, 1x1 conv to K classes; the logits are upsampled x4 (bilinear) to the input size, as the
/// reference does in its loss and test code. Every resize leaves corners unaligned (official configs).
/// </summary>
public sealed class HRNet : SegmentationModel
{
    const long StemWidth = 64;
    const long Stage1Planes = 64;

    readonly Sequential stem;
    readonly Sequential layer1;
    readonly ModuleList<HRNetTransition> transitions;
    readonly ModuleList<ModuleList<HighResolutionModule>> stages;
    readonly Sequential head;

    /// <param name="name">Registered name (hrnet-w18, hrnet-w48).</param>
    /// <param name="config">Input channels, classes (options are read by the factory).</param>
    /// <param name="layout">Widths and depths.</param>
    /// <param name="init">Weight initialisation.</param>
    public HRNet(string name, ModelConfig config, HRNetLayout layout, HRNetInit init = HRNetInit.Official)
        : base(name, config)
    {
        layout.Validate(name);
        var widths = layout.BranchWidths;

        stem = nn.Sequential(
            new ConvBnAct(config.InChannels, StemWidth, 3, stride: 2),
            new ConvBnAct(StemWidth, StemWidth, 3, stride: 2));
        layer1 = Bottleneck.Layer(StemWidth, Stage1Planes, layout.Stage1Blocks, stride: 1);

        transitions = new ModuleList<HRNetTransition>();
        stages = new ModuleList<ModuleList<HighResolutionModule>>();
        long[] previous = [Stage1Planes * Bottleneck.Expansion];
        for (int stage = 0; stage < 3; stage++)
        {
            var stageWidths = widths[..(stage + 2)];
            transitions.Add(new HRNetTransition(previous, stageWidths));
            var modules = new ModuleList<HighResolutionModule>();
            for (int m = 0; m < layout.ModulesPerStage[stage]; m++)
                modules.Add(new HighResolutionModule(stageWidths, layout.BlocksPerBranch));
            stages.Add(modules);
            previous = stageWidths;
        }

        long concatenated = widths.Sum();
        head = nn.Sequential(
            new ConvBnAct(concatenated, concatenated, 1, bias: true),
            PrecisionLayers.Conv2d(concatenated, config.NumClasses, 1));
        RegisterComponents();

        if (init == HRNetInit.Official) InitialiseAsOfficial();
    }

    /// <summary>Stem (1/4) and four halvings in the branches: H and W must be multiples of 32.</summary>
    public override int SizeDivisor => 32;

    void InitialiseAsOfficial()
    {
        using var _ = no_grad();
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case PrecisionConv2d conv:
                    nn.init.normal_(conv.weight!, 0, 0.001);
                    break;
                case BatchNorm norm:
                    nn.init.ones_(norm.weight!);
                    nn.init.zeros_(norm.bias!);
                    break;
            }
        }
    }

    /// <summary>
    /// The branch outputs after each stage, for inspection: stage 1 gives one 256-channel map at 1/4,
    /// stage s = 2..4 gives s maps of widths W..2^(s-1)W at 1/4..1/2^(s+1).
    /// </summary>
    public IReadOnlyList<Tensor[]> StageOutputs(Tensor input)
    {
        using var scope = NewDisposeScope();
        var outputs = Backbone(input);
        foreach (var stage in outputs)
            foreach (var t in stage) t.MoveToOuterDisposeScope();
        return outputs;
    }

    List<Tensor[]> Backbone(Tensor input)
    {
        var outputs = new List<Tensor[]>(4);
        Tensor[] x = [layer1.call(stem.call(input))];
        outputs.Add(x);
        for (int stage = 0; stage < stages.Count; stage++)
        {
            x = transitions[stage].call(x);
            foreach (var module in stages[stage]) x = module.call(x);
            outputs.Add(x);
        }
        return outputs;
    }

    protected override SegmentationOutput ForwardPadded(Tensor input, bool withSideOutputs)
    {
        using var scope = NewDisposeScope();
        var branches = Backbone(input)[^1];
        long height = branches[0].shape[2], width = branches[0].shape[3];
        var resized = branches.Select((b, i) => i == 0 ? b : Resample.To(b, height, width)).ToList();
        var quarter = head.call(torch.cat(resized, 1));
        var logits = Resample.Like(quarter, input);
        return new SegmentationOutput(logits.MoveToOuterDisposeScope());
    }

    protected override OnnxValue ExportPadded(OnnxGraph g, OnnxValue input)
    {
        OnnxValue[] x = [layer1.Export(g, stem.Export(g, input))];
        for (int stage = 0; stage < stages.Count; stage++)
        {
            x = transitions[stage].Export(g, x);
            foreach (var module in stages[stage]) x = module.Export(g, x);
        }
        var resized = x.Select((b, i) => i == 0 ? b : g.ResizeLike(b, x[0], alignCorners: false)).ToArray();
        return g.ResizeLike(head.Export(g, g.Concat(1, resized)), input, alignCorners: false);
    }
}
