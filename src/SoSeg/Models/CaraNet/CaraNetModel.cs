using SoSeg.Onnx;
using SoSeg.Models.Backbones;
using SoSeg.Models.Blocks;
using SoSeg.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Models.CaraNet;

/// <summary>
/// CaraNet (Lou et al., "CaraNet: context axial reverse attention network for segmentation of small
/// medical objects", Journal of Medical Imaging 2023; official <c>CaraNet.py</c>). Res2Net-101 v1b encoder;
/// X2, X3, X4 reduced to 32 channels by 3x3 conv-BN-PReLU; PraNet's partial decoder with plain convs gives
/// the global map at stride 8; three axial reverse-attention steps refine it on X4 (stride 32), X3 (16) and
/// X2 (8), each with its own CFP module. Every map has K channels (reverse attention as in
/// <see cref="ReverseAttention"/>). Main output: the finest map (official <c>lateral_map_5</c>); side
/// outputs: the decoder map, the stride-32 and the stride-16 maps, upsampled to the input size.
/// </summary>
public sealed class CaraNetModel : SegmentationModel
{
    const double BnEps = 1e-3;
    readonly Res2Net encoder;
    readonly ConvBnAct reduce2;
    readonly ConvBnAct reduce3;
    readonly ConvBnAct reduce4;
    readonly PartialDecoder decoder;
    readonly AxialReverseAttentionBranch reverse4;
    readonly AxialReverseAttentionBranch reverse3;
    readonly AxialReverseAttentionBranch reverse2;

    /// <param name="config">Input channels, classes K.</param>
    /// <param name="channels">Width after the reductions (32; a multiple of 16 for the CFP groups).</param>
    /// <param name="cfpDilation">The CFP modules' d (8).</param>
    /// <param name="backbone">"res2net101" (official) or "res2net50".</param>
    public CaraNetModel(ModelConfig config, int channels = 32, int cfpDilation = 8, string backbone = "res2net101") : base("caranet", config)
    {
        if (channels < 16 || channels % 16 != 0) throw new ArgumentException($"caranet: channels must be a positive multiple of 16, got {channels}.");
        long k = config.NumClasses;
        encoder = Res2Net.FromName(backbone, config.InChannels, "caranet");
        reduce2 = new ConvBnAct(Res2Net.Channels[2], channels, 3, activation: Activation.PReLU, bnEps: BnEps);
        reduce3 = new ConvBnAct(Res2Net.Channels[3], channels, 3, activation: Activation.PReLU, bnEps: BnEps);
        reduce4 = new ConvBnAct(Res2Net.Channels[4], channels, 3, activation: Activation.PReLU, bnEps: BnEps);
        decoder = new PartialDecoder(channels, k, batchNorm: false);
        reverse4 = new AxialReverseAttentionBranch(channels, k, cfpDilation);
        reverse3 = new AxialReverseAttentionBranch(channels, k, cfpDilation);
        reverse2 = new AxialReverseAttentionBranch(channels, k, cfpDilation);
        RegisterComponents();
    }

    protected override SegmentationOutput ForwardPadded(Tensor input, bool withSideOutputs)
    {
        using var scope = torch.NewDisposeScope();
        long height = input.shape[2], width = input.shape[3];
        using var features = encoder.call(input);
        var x2 = reduce2.call(features.X2);
        var x3 = reduce3.call(features.X3);
        var x4 = reduce4.call(features.X4);

        var global = decoder.call(x4, x3, x2);
        // Maps at strides 32, 16, 8; the main output is the stride-8 one.
        return ReverseAttention.Cascade(global, height, width, withSideOutputs, (reverse4, x4), (reverse3, x3), (reverse2, x2));
    }

    protected override OnnxValue ExportPadded(OnnxGraph g, OnnxValue input)
    {
        var features = encoder.Export(g, input);
        var x2 = reduce2.Export(g, features.X2);
        var x3 = reduce3.Export(g, features.X3);
        var x4 = reduce4.Export(g, features.X4);
        var global = decoder.Export(g, x4, x3, x2);
        return ReverseAttention.Cascade(g, global, input, (reverse4, x4), (reverse3, x3), (reverse2, x2));
    }
}
