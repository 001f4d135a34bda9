using TorchSharp;
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
        BatchNorm2d norm => g.Node("BatchNormalization", [x, g.Weight(norm.weight!), g.Weight(norm.bias!), g.Weight(norm.running_mean!), g.Weight(norm.running_var!)],
                                   [Attr("epsilon", (float)norm.eps)]),
        LayerNorm norm => g.Node("LayerNormalization", [x, g.Weight(norm.weight!), g.Weight(norm.bias!)],
                                 [Attr("axis", -(long)norm.normalized_shape.Length), Attr("epsilon", (float)norm.eps)]),
        Linear linear => Linear(g, linear, x),
        ReLU => g.Relu(x),
        SiLU => g.Silu(x),
        Sigmoid => g.Sigmoid(x),
        // PyTorch's slope has one value per channel (dim 1); ONNX broadcasts from the right, so make it C x 1 x 1.
        PReLU prelu => g.Node("PRelu", x, g.Weight(prelu.weight, prelu.num_parameters == 1 ? [1] : [prelu.num_parameters, 1, 1])),
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
        var inputs = new List<OnnxValue> { x, g.Weight(conv.weight!) };
        if (conv.bias is not null) inputs.Add(g.Weight(conv.bias));
        long[] padding = conv.padding ?? [0, 0];
        var attributes = new List<global::Onnx.AttributeProto>
        {
            Attr("kernel_shape", conv.kernel_size), Attr("strides", conv.stride), Attr("dilations", conv.dilation),
            Attr("pads", padding[0], padding[1], padding[0], padding[1]), Attr("group", conv.groups),
        };
        if (conv.transposed) attributes.Add(Attr("output_padding", conv.output_padding ?? [0, 0]));
        return g.Node(conv.transposed ? "ConvTranspose" : "Conv", [.. inputs], [.. attributes]);
    }

    static OnnxValue Linear(OnnxGraph g, Linear linear, OnnxValue x)
    {
        using var transposed = linear.weight!.detach().t();
        var y = g.MatMul(x, g.Weight(transposed));
        return linear.bias is null ? y : y + g.Weight(linear.bias);
    }
}
