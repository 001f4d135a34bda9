using SoSeg.Onnx;
using SoSeg.Models.Backbones;
using SoSeg.Models.Blocks;
using SoSeg.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Models.PraNet;

/// <summary>
/// PraNet (Fan et al., "PraNet: Parallel Reverse Attention Network for Polyp Segmentation", MICCAI 2020;
/// official <c>lib/PraNet_Res2Net.py</c>). Res2Net-50 v1b encoder; receptive field blocks reduce X2, X3, X4
/// to 32 channels; a partial decoder gives the global map S_g at stride 8; three reverse-attention steps
/// refine it on X4 (S_5, stride 32), X3 (S_4, stride 16) and X2 (S_3, stride 8), each adding to the
/// previous map. Every map has K channels (see <see cref="ReverseAttention"/> for the K-class reverse
/// attention). The main output is the finest map S_3 (the official inference output); S_g, S_5 and S_4
/// are the side outputs, all upsampled bilinearly to the input size.
/// </summary>
public sealed class PraNetModel : SegmentationModel
{
    readonly Res2Net encoder;
    readonly ReceptiveFieldBlock rfb2;
    readonly ReceptiveFieldBlock rfb3;
    readonly ReceptiveFieldBlock rfb4;
    readonly PartialDecoder decoder;
    readonly ReverseAttentionBranch reverse4;
    readonly ReverseAttentionBranch reverse3;
    readonly ReverseAttentionBranch reverse2;

    /// <param name="config">Input channels, classes K.</param>
    /// <param name="channels">Width of the receptive field blocks and the partial decoder (32).</param>
    /// <param name="backbone">"res2net50" (official) or "res2net101".</param>
    public PraNetModel(ModelConfig config, int channels = 32, string backbone = "res2net50") : base("pranet", config)
    {
        if (channels < 1) throw new ArgumentException($"pranet: channels must be at least 1, got {channels}.");
        long k = config.NumClasses;
        encoder = Res2Net.FromName(backbone, config.InChannels, "pranet");
        rfb2 = new ReceptiveFieldBlock(Res2Net.Channels[2], channels);
        rfb3 = new ReceptiveFieldBlock(Res2Net.Channels[3], channels);
        rfb4 = new ReceptiveFieldBlock(Res2Net.Channels[4], channels);
        decoder = new PartialDecoder(channels, k);
        reverse4 = new ReverseAttentionBranch(Res2Net.Channels[4], 256, 5, 3, 1, k);
        reverse3 = new ReverseAttentionBranch(Res2Net.Channels[3], 64, 3, 2, 3, k);
        reverse2 = new ReverseAttentionBranch(Res2Net.Channels[2], 64, 3, 2, 3, k);
        RegisterComponents();
    }

    protected override SegmentationOutput ForwardPadded(Tensor input, bool withSideOutputs)
    {
        using var scope = torch.NewDisposeScope();
        long height = input.shape[2], width = input.shape[3];
        using var features = encoder.call(input);

        var global = decoder.call(rfb4.call(features.X4), rfb3.call(features.X3), rfb2.call(features.X2));
        // S_5, S_4, S_3; the main output is S_3.
        return ReverseAttention.Cascade(global, height, width, withSideOutputs,
            (reverse4, features.X4), (reverse3, features.X3), (reverse2, features.X2));
    }

    protected override OnnxValue ExportPadded(OnnxGraph g, OnnxValue input)
    {
        var features = encoder.Export(g, input);
        var global = decoder.Export(g, rfb4.Export(g, features.X4), rfb3.Export(g, features.X3), rfb2.Export(g, features.X2));
        return ReverseAttention.Cascade(g, global, input, (reverse4, features.X4), (reverse3, features.X3), (reverse2, features.X2));
    }
}
