using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Models.UNet;

/// <summary>
/// U-Net's basic unit as in milesial/Pytorch-UNet: (3x3 conv -> BatchNorm -> ReLU) twice, padded so the
/// size is kept. The convolutions keep their bias, as the reference does (it is redundant before BN but
/// counts in the 31.04 M parameters).
/// </summary>
public sealed class DoubleConv : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly ConvBnAct first;
    readonly ConvBnAct second;

    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="middleChannels">Width of the first convolution; defaults to <paramref name="outChannels"/>.</param>
    public DoubleConv(long inChannels, long outChannels, long middleChannels = 0) : base(nameof(DoubleConv))
    {
        if (middleChannels <= 0) middleChannels = outChannels;
        first = new ConvBnAct(inChannels, middleChannels, 3, bias: true);
        second = new ConvBnAct(middleChannels, outChannels, 3, bias: true);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var hidden = first.call(x);
        return second.call(hidden);
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x) => second.Export(g, first.Export(g, x));
}
