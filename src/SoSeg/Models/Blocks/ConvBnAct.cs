using SoSeg.Onnx;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.Blocks;

/// <summary>Conv2d (no bias) -> BatchNorm2d -> activation: the unit almost every network here is made of.</summary>
public sealed class ConvBnAct : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly PrecisionConv2d conv;
    readonly StableBatchNorm2d bn;
    readonly nn.Module<Tensor, Tensor>? act;

    /// <param name="padding">-1 means "same" for odd kernels: dilation * (kernel - 1) / 2.</param>
    public ConvBnAct(long inChannels, long outChannels, long kernel = 3, long stride = 1, long padding = -1,
                     long dilation = 1, long groups = 1, Activation activation = Activation.ReLU,
                     double bnEps = 1e-5, bool bias = false)
        : base(nameof(ConvBnAct))
    {
        if (padding < 0) padding = dilation * (kernel - 1) / 2;
        conv = PrecisionLayers.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, dilation: dilation,
                         groups: groups, bias: bias);
        bn = new StableBatchNorm2d(outChannels, bnEps);
        act = Activations.Create(activation, (int)outChannels);
        RegisterComponents();
    }

    /// <summary>Rectangular kernels (1x3, 3x1, ...), as RFB and CFP use.</summary>
    public ConvBnAct(long inChannels, long outChannels, (long, long) kernel, (long, long) padding,
                     (long, long)? dilation = null, long groups = 1, Activation activation = Activation.ReLU,
                     double bnEps = 1e-5)
        : base(nameof(ConvBnAct))
    {
        conv = PrecisionLayers.Conv2d(inChannels, outChannels, kernel, stride: (1, 1), padding: padding,
                         dilation: dilation ?? (1, 1), groups: groups, bias: false);
        bn = new StableBatchNorm2d(outChannels, bnEps);
        act = Activations.Create(activation, (int)outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = bn.call(conv.call(x));
        return act is null ? y : act.call(y);
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x)
    {
        var y = bn.Export(g, conv.Export(g, x));
        return act is null ? y : act.Export(g, y);
    }
}
