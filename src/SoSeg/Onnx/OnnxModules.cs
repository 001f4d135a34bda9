using TorchSharp;
using SoSeg.Models.MixedPrecision;
using TorchSharp.Modules;
using static SoSeg.Onnx.OnnxGraph;

namespace SoSeg.Onnx;

/// <summary>
/// The one mapping of TorchSharp layers to ONNX operators (eval mode: dropout is the identity, batch norm
/// uses its running statistics), and the dispatch export code uses for any module: its own
/// <see cref="IOnnxExportable"/>, a Sequential's children in order, or a layer mapped here.
/// </summary>
public static class OnnxModules
{
    /// <summary>Exports <paramref name="module"/> applied to <paramref name="x"/>.</summary>
    public static OnnxValue Export(this torch.nn.Module module, OnnxGraph g, OnnxValue x) => module switch
    {
        IOnnxExportable exportable => exportable.Export(g, x),
        Sequential sequential => sequential.children().Aggregate(x, (value, child) => child.Export(g, value)),
        Conv2d or ConvTranspose2d => Conv(g, (Convolution)module, x),
        PrecisionConv2d conv => ConvNode(g, x, conv.weight, conv.bias, [.. conv.Stride], [.. conv.Padding], [.. conv.Dilation], conv.Groups, outputPadding: null),
        PrecisionConvTranspose2d conv => ConvNode(g, x, conv.weight, conv.bias, [.. conv.Stride], [.. conv.Padding], [.. conv.Dilation], conv.Groups, [.. conv.OutputPadding]),
        BatchNorm norm => g.Node("BatchNormalization", [x, g.Weight(norm.weight!), g.Weight(norm.bias!), g.Weight(norm.running_mean!), g.Weight(norm.running_var!)],
                                   [Attr("epsilon", (float)norm.eps)]),
        LayerNorm norm => g.Node("LayerNormalization", [x, g.Weight(norm.weight!), g.Weight(norm.bias!)],
                                 [Attr("axis", -(long)norm.normalized_shape.Length), Attr("epsilon", (float)norm.eps)]),
        Linear linear => Linear(g, linear.weight!, linear.bias, x),
        PrecisionLinear linear => Linear(g, linear.weight, linear.bias, x),
        ReLU => g.Relu(x),
        SiLU => g.Silu(x),
        Sigmoid => g.Sigmoid(x),
        // PyTorch's slope has one value per channel (dim 1); ONNX broadcasts from the right, so make it C x 1 x 1.
        PReLU prelu => g.Node("PRelu", x, g.Weight(prelu.weight, prelu.num_parameters == 1 ? [1] : [prelu.num_parameters, 1, 1])),
        PrecisionPReLU prelu => g.Node("PRelu", x, g.Weight(prelu.weight, prelu.weight.shape[0] == 1 ? [1] : [prelu.weight.shape[0], 1, 1])),
        Identity or Dropout or Dropout2d => x,
        MaxPool2d pool => g.MaxPool(x, pool.kernel_size, pool.stride ?? pool.kernel_size, pool.padding ?? [0, 0], pool.dilation ?? [1, 1], pool.ceil_mode),
        AvgPool2d pool when pool.divisor_override is null =>
            g.AveragePool(x, pool.kernel_size, pool.stride ?? pool.kernel_size, pool.padding ?? [0, 0], pool.ceil_mode, pool.count_include_pad),
        _ => throw new NotSupportedException(
            $"ONNX export: no mapping for a {module.GetType().Name} ('{module.GetName()}'); implement {nameof(IOnnxExportable)} on it or map it in {nameof(OnnxModules)}."),
    };

    /// <summary>Conv2d as Conv, ConvTranspose2d as ConvTranspose (same weight layout and attributes, plus output padding).</summary>
    static OnnxValue Conv(OnnxGraph g, Convolution conv, OnnxValue x)
    {
        if (conv.padding_mode != PaddingModes.Zeros || conv.padding_type is not null && conv.padding_type != Padding.Valid)
            throw new NotSupportedException($"ONNX export: '{conv.GetName()}' uses {conv.padding_mode}/{conv.padding_type} padding; only explicit zero padding is mapped.");
        return ConvNode(g, x, conv.weight!, conv.bias, conv.stride, conv.padding ?? [0, 0], conv.dilation, conv.groups,
                        conv.transposed ? conv.output_padding ?? [0, 0] : null);
    }

    /// <summary>Conv, or ConvTranspose when <paramref name="outputPadding"/> is given; the kernel shape is the weight's last two dimensions.</summary>
    static OnnxValue ConvNode(OnnxGraph g, OnnxValue x, torch.Tensor weight, torch.Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups, long[]? outputPadding)
    {
        var inputs = new List<OnnxValue> { x, g.Weight(weight) };
        if (bias is not null) inputs.Add(g.Weight(bias));
        var attributes = new List<global::Onnx.AttributeProto>
        {
            Attr("kernel_shape", weight.shape[2..]), Attr("strides", stride), Attr("dilations", dilation),
            Attr("pads", padding[0], padding[1], padding[0], padding[1]), Attr("group", groups),
        };
        if (outputPadding is not null) attributes.Add(Attr("output_padding", outputPadding));
        return g.Node(outputPadding is not null ? "ConvTranspose" : "Conv", [.. inputs], [.. attributes]);
    }

    static OnnxValue Linear(OnnxGraph g, torch.Tensor weight, torch.Tensor? bias, OnnxValue x)
    {
        using var transposed = weight.detach().t();
        var y = g.MatMul(x, g.Weight(transposed));
        return bias is null ? y : y + g.Weight(bias);
    }
}
