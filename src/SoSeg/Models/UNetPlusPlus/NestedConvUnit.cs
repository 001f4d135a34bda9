using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using SoSeg.Models.MixedPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.UNetPlusPlus;

/// <summary>
/// U-Net++'s node X^{i,j} (official Keras <c>standard_unit</c>): (3x3 conv -> ReLU -> Dropout) twice.
/// The reference has no normalisation; BatchNorm between convolution and ReLU is an option (the conv
/// then drops its bias). Convolutions are He-normal initialised (Keras <c>he_normal</c>: normal truncated
/// at two standard deviations, std sqrt(2 / fan_in)), biases zero.
/// </summary>
public sealed class NestedConvUnit : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly PrecisionConv2d conv1;
    readonly StableBatchNorm2d? norm1;
    readonly Dropout? dropout1;
    readonly PrecisionConv2d conv2;
    readonly StableBatchNorm2d? norm2;
    readonly Dropout? dropout2;

    public NestedConvUnit(long inChannels, long outChannels, double dropout, bool batchNorm) : base(nameof(NestedConvUnit))
    {
        if (dropout is < 0 or >= 1) throw new ArgumentException($"unetpp: dropout must be in [0, 1), got {dropout}.");
        conv1 = PrecisionLayers.Conv2d(inChannels, outChannels, 3, padding: 1, bias: !batchNorm);
        conv2 = PrecisionLayers.Conv2d(outChannels, outChannels, 3, padding: 1, bias: !batchNorm);
        if (batchNorm)
        {
            norm1 = new StableBatchNorm2d(outChannels);
            norm2 = new StableBatchNorm2d(outChannels);
        }
        if (dropout > 0)
        {
            dropout1 = nn.Dropout(dropout);
            dropout2 = nn.Dropout(dropout);
        }
        WeightInit.HeNormal(conv1);
        WeightInit.HeNormal(conv2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = Apply(x, conv1, norm1, dropout1);
        y = Apply(y, conv2, norm2, dropout2);
        return y.MoveToOuterDisposeScope();
    }

    static Tensor Apply(Tensor x, PrecisionConv2d conv, StableBatchNorm2d? norm, Dropout? dropout)
    {
        var y = conv.call(x);
        if (norm is not null) y = norm.call(y);
        y = nn.functional.relu(y);
        return dropout is null ? y : dropout.call(y);
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x) => Export(g, Export(g, x, conv1, norm1, dropout1), conv2, norm2, dropout2);

    static OnnxValue Export(OnnxGraph g, OnnxValue x, PrecisionConv2d conv, StableBatchNorm2d? norm, Dropout? dropout)
    {
        var y = conv.Export(g, x);
        if (norm is not null) y = norm.Export(g, y);
        y = g.Relu(y);
        return dropout is null ? y : dropout.Export(g, y);
    }
}
