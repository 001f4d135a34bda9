using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// SoSegFormer (Dai et al., "SoSegFormer: a cross-scale feature correlated network for small medical
/// object segmentation"). A ResNet-style encoder gives F1..F5 (1/2..1/32). Each of the four
/// higher-resolution stages gets a branch R_s = StageFormer(BottleneckSE(F_s)); cross-scale feature
/// instruction (eq. 1) adds every earlier branch, brought down by stride-2 convs, to each later one.
/// The decoder climbs from F5 with "TransConv 3x3" UpLinks, concatenating R'_s and refining each stage
/// with a StageFormer (D_4..D_1); ASPP runs on F5. The head resizes D_1..D_4 and the ASPP output to 1/2,
/// concatenates them, maps them to K logits with a 1x1 conv and upsamples x2 (bilinear) to the input.
/// </summary>
public sealed class SoSegFormerModel : SegmentationModel
{
    readonly ResNetEncoder encoder;
    readonly ModuleList<Sequential> branches;
    readonly CrossScaleInstruction cross_scale;
    readonly ModuleList<DecoderStage> decoder;
    readonly Aspp aspp;
    readonly PrecisionConv2d classifier;

    public SoSegFormerModel(string name, ModelConfig config, SoSegFormerOptions options) : base(name, config)
    {
        options.Validate(name);
        Options = options;
        var channels = options.StageChannels;
        const int stages = SoSegFormerOptions.Stages;

        encoder = new ResNetEncoder(config.InChannels, options.StemWidth, options.Widths, options.Depths, options.BnEps);
        branches = new ModuleList<Sequential>(Enumerable.Range(0, stages).Select(s => nn.Sequential(
            ("bottleneck", (nn.Module<Tensor, Tensor>)new BottleneckSE(channels[s], options.BranchExpansion, options.SeRatio, options.SeMinHidden, options.BnEps)),
            ("former", new StageFormer(channels[s], options.FormerConfig(s))))).ToArray());
        cross_scale = new CrossScaleInstruction(channels.Take(stages).ToArray(), options.CrossScale, options.CrossScaleDropPath, options.BnEps);
        // decoder[0] works at stage 4 (1/16, from F5), decoder[3] at stage 1 (1/2).
        decoder = new ModuleList<DecoderStage>(Enumerable.Range(0, stages).Select(i =>
        {
            int stage = stages - 1 - i;
            return new DecoderStage(channels[stage + 1], channels[stage], options.FormerConfig(stage));
        }).ToArray());
        aspp = new Aspp(channels[stages], options.AsppChannels, options.AsppRates, options.AsppDropout, options.BnEps);
        classifier = PrecisionLayers.Conv2d(channels.Take(stages).Sum() + options.AsppChannels, config.NumClasses, 1);
        RegisterComponents();
        // As the reference: fan-out init on a K-channel classifier would give huge logits, so it keeps the default; and the
        // linear-attention blocks' 1x1 convolutions are the reference's nn.Linear layers (qkv, projection, FFN), which
        // keep the default too (a 1x1 conv's default equals a linear layer's).
        if (options.KaimingInit)
            WeightInit.KaimingNormalFanOut(this, [classifier, .. named_modules().Select(m => m.module).OfType<LinearAttentionTransformer>()]);
    }

    /// <summary>The options this instance was built with.</summary>
    public SoSegFormerOptions Options { get; }

    public override int SizeDivisor => Options.SizeDivisor;

    protected override SegmentationOutput ForwardPadded(Tensor input, bool withSideOutputs)
    {
        using var scope = torch.NewDisposeScope();
        var features = encoder.call(input);
        var branchOutputs = new Tensor[SoSegFormerOptions.Stages];
        for (int s = 0; s < branchOutputs.Length; s++) branchOutputs[s] = branches[s].call(features[s]);
        var instructed = cross_scale.call(branchOutputs);

        var decoded = new Tensor[SoSegFormerOptions.Stages];
        var deeper = features[SoSegFormerOptions.Stages];
        for (int i = 0; i < decoder.Count; i++)
        {
            int stage = SoSegFormerOptions.Stages - 1 - i;
            deeper = decoded[stage] = decoder[i].call(deeper, instructed[stage]);
        }

        // Head at 1/2: D1..D4 and ASPP(F5) resized to D1 (align_corners as the authors' code), concatenated.
        long headHeight = decoded[0].shape[2], headWidth = decoded[0].shape[3];
        var head = decoded.Append(aspp.call(features[SoSegFormerOptions.Stages]))
            .Select(f => f.shape[2] == headHeight && f.shape[3] == headWidth ? f : Resample.To(f, headHeight, headWidth, alignCorners: true)).ToList();
        var logits = Resample.To(classifier.call(torch.cat(head, dim: 1)), input.shape[2], input.shape[3], alignCorners: true);
        return new SegmentationOutput(logits.MoveToOuterDisposeScope());
    }

    protected override OnnxValue ExportPadded(OnnxGraph g, OnnxValue input)
    {
        const int stages = SoSegFormerOptions.Stages;
        var features = encoder.Export(g, input);
        var branchOutputs = Enumerable.Range(0, stages).Select(s => branches[s].Export(g, features[s])).ToArray();
        var instructed = cross_scale.Export(g, branchOutputs);
        var decoded = new OnnxValue[stages];
        var deeper = features[stages];
        for (int i = 0; i < decoder.Count; i++)
        {
            int stage = stages - 1 - i;
            deeper = decoded[stage] = decoder[i].Export(g, deeper, instructed[stage]);
        }
        var head = decoded.Append(aspp.Export(g, features[stages]))
            .Select((f, i) => i == 0 ? f : g.ResizeLike(f, decoded[0], alignCorners: true)).ToArray();
        return g.ResizeLike(classifier.Export(g, g.Concat(1, head)), input, alignCorners: true);
    }
}
