using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace SoSeg.Onnx;

/// <summary>
/// Builds an ONNX graph (OnnxSharp's protobuf classes) from export code that mirrors the models' forward
/// passes: every method adds the nodes that compute what the TorchSharp call of the same name computes.
/// Spatial sizes stay symbolic (taken from Shape nodes), so an exported graph takes any batch, height and
/// width the model itself takes. Weights become initializers, copied from the module in its current state.
/// </summary>
public sealed class OnnxGraph
{
    /// <summary>Lowest opset the exported operators support (LayerNormalization is opset 17).</summary>
    public const int MinOpset = 17;
    /// <summary>Highest opset the exporter was checked against with ONNX Runtime.</summary>
    public const int MaxOpset = 21;

    readonly GraphProto _graph = new() { Name = "soseg" };
    readonly Dictionary<string, OnnxValue> _constants = new(StringComparer.Ordinal);
    int _counter;

    public OnnxGraph(int opset = MinOpset)
    {
        if (opset is < MinOpset or > MaxOpset)
            throw new ArgumentOutOfRangeException(nameof(opset), $"opset {opset} is not supported; use {MinOpset}..{MaxOpset}.");
        Opset = opset;
    }

    /// <summary>The default-domain opset the graph is written for.</summary>
    public int Opset { get; }

    /// <summary>The graph built so far.</summary>
    public GraphProto Proto => _graph;

    /// <summary>Declares a float32 graph input; a null dimension is symbolic, named by <paramref name="dimNames"/>.</summary>
    public OnnxValue Input(string name, long?[] dims, string[] dimNames)
    {
        _graph.Input.Add(ValueInfo(name, dims, dimNames));
        return new OnnxValue(this, name);
    }

    /// <summary>Declares <paramref name="value"/> as a float32 graph output named <paramref name="name"/>.</summary>
    public void Output(OnnxValue value, string name, long?[] dims, string[] dimNames)
    {
        Node("Identity", [value], [], name);
        _graph.Output.Add(ValueInfo(name, dims, dimNames));
    }

    static ValueInfoProto ValueInfo(string name, long?[] dims, string[] dimNames)
    {
        var shape = new TensorShapeProto();
        for (int i = 0; i < dims.Length; i++)
            shape.Dim.Add(dims[i] is { } d ? new TensorShapeProto.Types.Dimension { DimValue = d } : new TensorShapeProto.Types.Dimension { DimParam = dimNames[i] });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    // ---- nodes and constants -------------------------------------------------------------------------------

    /// <summary>Adds a node with one output and returns it.</summary>
    public OnnxValue Node(string op, params OnnxValue[] inputs) => Node(op, inputs, []);

    /// <summary>Adds a node with attributes and one output.</summary>
    public OnnxValue Node(string op, OnnxValue[] inputs, AttributeProto[] attributes, string? outputName = null) =>
        Nodes(op, inputs, attributes, 1, outputName)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs.</summary>
    public OnnxValue[] Nodes(string op, OnnxValue[] inputs, AttributeProto[] attributes, int outputs, string? outputName = null)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{_counter}" };
        node.Input.AddRange(inputs.Select(i => i?.Name ?? ""));
        var results = new OnnxValue[outputs];
        for (int i = 0; i < outputs; i++)
        {
            string name = outputName is not null && outputs == 1 ? outputName : $"t{_counter}_{i}";
            node.Output.Add(name);
            results[i] = new OnnxValue(this, name);
        }
        _counter++;
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return results;
    }

    /// <summary>A float32 initializer holding a copy of <paramref name="tensor"/> (any device, any float type).</summary>
    public OnnxValue Weight(Tensor tensor, long[]? shape = null)
    {
        using var cpu = tensor.detach().to(ScalarType.Float32, CPU).contiguous();
        var values = cpu.data<float>().ToArray();
        return FloatConstant(values, shape ?? cpu.shape, $"w{_counter++}");
    }

    OnnxValue FloatConstant(float[] values, long[] shape, string name)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(shape);
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length); // ONNX raw data is little-endian, as x64 and ARM64 are
        proto.RawData = ByteString.CopyFrom(bytes);
        _graph.Initializer.Add(proto);
        return new OnnxValue(this, name);
    }

    /// <summary>A float32 scalar constant (shape []), shared between uses.</summary>
    public OnnxValue Scalar(double value)
    {
        string key = "f:" + BitConverter.DoubleToInt64Bits(value);
        if (_constants.TryGetValue(key, out var existing)) return existing;
        return _constants[key] = FloatConstant([(float)value], [], $"c{_constants.Count}");
    }

    /// <summary>A 1-D int64 constant, shared between uses.</summary>
    public OnnxValue Int64s(params long[] values)
    {
        string key = "i:" + string.Join(",", values);
        if (_constants.TryGetValue(key, out var existing)) return existing;
        var proto = new TensorProto { Name = $"c{_constants.Count}", DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        _graph.Initializer.Add(proto);
        return _constants[key] = new OnnxValue(this, proto.Name);
    }

    public static AttributeProto Attr(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
    public static AttributeProto Attr(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
    public static AttributeProto Attr(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };
    public static AttributeProto Attr(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    // ---- shapes --------------------------------------------------------------------------------------------

    /// <summary>Dimension <paramref name="axis"/> of <paramref name="x"/> as a 1-element int64 tensor.</summary>
    public OnnxValue Dim(OnnxValue x, int axis) => Node("Shape", [x], [Attr("start", (long)axis), Attr("end", (long)axis + 1)]);

    /// <summary>Dimensions [start, end) of <paramref name="x"/> as an int64 tensor.</summary>
    public OnnxValue Dims(OnnxValue x, int start, int end) => Node("Shape", [x], [Attr("start", (long)start), Attr("end", (long)end)]);

    /// <summary>A shape vector from constants (long) and 1-element int64 values (from <see cref="Dim"/>), in order.</summary>
    public OnnxValue ShapeOf(params object[] dims)
    {
        var parts = new List<OnnxValue>();
        var constants = new List<long>();
        foreach (var dim in dims)
        {
            if (dim is OnnxValue value)
            {
                if (constants.Count > 0) { parts.Add(Int64s([.. constants])); constants.Clear(); }
                parts.Add(value);
            }
            else constants.Add(Convert.ToInt64(dim));
        }
        if (constants.Count > 0) parts.Add(Int64s([.. constants]));
        return parts.Count == 1 ? parts[0] : Node("Concat", [.. parts], [Attr("axis", 0L)]);
    }

    /// <summary>torch reshape: dims are constants (0 copies the input's dimension, -1 is inferred) or 1-element int64 values.</summary>
    public OnnxValue Reshape(OnnxValue x, params object[] dims) => Node("Reshape", x, ShapeOf(dims));

    public OnnxValue Transpose(OnnxValue x, params long[] permutation) => Node("Transpose", [x], [Attr("perm", permutation)]);

    /// <summary>x[..., start:end, ...] along <paramref name="axis"/> (end may be long.MaxValue).</summary>
    public OnnxValue Slice(OnnxValue x, int axis, long start, long end) =>
        Node("Slice", x, Int64s(start), Int64s(end), Int64s(axis));

    /// <summary>x[..., start:end, ...] along <paramref name="axis"/> with a symbolic end.</summary>
    public OnnxValue Slice(OnnxValue x, int axis, long start, OnnxValue end) =>
        Node("Slice", x, Int64s(start), end, Int64s(axis));

    /// <summary>torch.split with explicit sizes.</summary>
    public OnnxValue[] Split(OnnxValue x, int axis, params long[] sizes) =>
        Nodes("Split", [x, Int64s(sizes)], [Attr("axis", (long)axis)], sizes.Length);

    /// <summary>x[index] along <paramref name="axis"/>, dropping that axis.</summary>
    public OnnxValue Select(OnnxValue x, int axis, long index) =>
        Node("Gather", [x, Scalar64(index)], [Attr("axis", (long)axis)]);

    OnnxValue Scalar64(long value)
    {
        string key = "s:" + value;
        if (_constants.TryGetValue(key, out var existing)) return existing;
        var proto = new TensorProto { Name = $"c{_constants.Count}", DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Int64Data.Add(value);
        _graph.Initializer.Add(proto);
        return _constants[key] = new OnnxValue(this, proto.Name);
    }

    public OnnxValue Concat(int axis, params OnnxValue[] values) =>
        values.Length == 1 ? values[0] : Node("Concat", values, [Attr("axis", (long)axis)]);

    public OnnxValue Unsqueeze(OnnxValue x, params long[] axes) => Node("Unsqueeze", x, Int64s(axes));

    /// <summary>Broadcasts <paramref name="x"/> to a shape (torch expand with -1 written as 1).</summary>
    public OnnxValue Expand(OnnxValue x, OnnxValue shape) => Node("Expand", x, shape);

    // ---- elementwise and reductions ------------------------------------------------------------------------

    public OnnxValue Relu(OnnxValue x) => Node("Relu", x);
    public OnnxValue Sigmoid(OnnxValue x) => Node("Sigmoid", x);
    /// <summary>SiLU, x * sigmoid(x) (ONNX has no single operator for it before opset 24).</summary>
    public OnnxValue Silu(OnnxValue x) => x * Sigmoid(x);
    public OnnxValue Softmax(OnnxValue x, long axis) => Node("Softmax", [x], [Attr("axis", axis)]);
    public OnnxValue LogSoftmax(OnnxValue x, long axis) => Node("LogSoftmax", [x], [Attr("axis", axis)]);
    public OnnxValue MatMul(OnnxValue a, OnnxValue b) => Node("MatMul", a, b);

    /// <summary>Sum over one axis.</summary>
    public OnnxValue ReduceSum(OnnxValue x, long axis, bool keepDims) =>
        Node("ReduceSum", [x, Int64s(axis)], [Attr("keepdims", keepDims ? 1L : 0L)]);

    /// <summary>torch.logsumexp over one axis (its axes became an input in opset 18).</summary>
    public OnnxValue ReduceLogSumExp(OnnxValue x, long axis, bool keepDims) => Opset >= 18
        ? Node("ReduceLogSumExp", [x, Int64s(axis)], [Attr("keepdims", keepDims ? 1L : 0L)])
        : Node("ReduceLogSumExp", [x], [Attr("axes", [axis]), Attr("keepdims", keepDims ? 1L : 0L)]);

    // ---- spatial -------------------------------------------------------------------------------------------

    /// <summary>F.max_pool2d(x, kernel, stride, padding).</summary>
    public OnnxValue MaxPool(OnnxValue x, long kernel, long stride, long padding = 0, bool ceilMode = false) =>
        MaxPool(x, [kernel, kernel], [stride, stride], [padding, padding], [1, 1], ceilMode);

    public OnnxValue MaxPool(OnnxValue x, long[] kernel, long[] stride, long[] padding, long[] dilation, bool ceilMode) =>
        Node("MaxPool", [x], [Attr("kernel_shape", kernel), Attr("strides", stride), Attr("pads", padding[0], padding[1], padding[0], padding[1]),
                              Attr("dilations", dilation), Attr("ceil_mode", ceilMode ? 1L : 0L)]);

    /// <summary>F.avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad).</summary>
    public OnnxValue AveragePool(OnnxValue x, long kernel, long stride, long padding = 0, bool ceilMode = false, bool countIncludePad = true) =>
        AveragePool(x, [kernel, kernel], [stride, stride], [padding, padding], ceilMode, countIncludePad);

    public OnnxValue AveragePool(OnnxValue x, long[] kernel, long[] stride, long[] padding, bool ceilMode, bool countIncludePad) =>
        Node("AveragePool", [x], [Attr("kernel_shape", kernel), Attr("strides", stride), Attr("pads", padding[0], padding[1], padding[0], padding[1]),
                                  Attr("ceil_mode", ceilMode ? 1L : 0L), Attr("count_include_pad", countIncludePad ? 1L : 0L)]);

    /// <summary>adaptive_avg_pool2d(x, 1).</summary>
    public OnnxValue GlobalAveragePool(OnnxValue x) => Node("GlobalAveragePool", x);

    /// <summary>adaptive_max_pool2d(x, 1).</summary>
    public OnnxValue GlobalMaxPool(OnnxValue x) => Node("GlobalMaxPool", x);

    /// <summary>Bilinear resize to a symbolic H x W (two 1-element int64 values), as F.interpolate(mode: bilinear).</summary>
    public OnnxValue ResizeBilinear(OnnxValue x, OnnxValue height, OnnxValue width, bool alignCorners)
    {
        var sizes = Concat(0, Dims(x, 0, 2), height, width);
        // pytorch_half_pixel is half_pixel except for a 1-pixel output, where PyTorch samples the first pixel.
        return Node("Resize", [x, null!, null!, sizes],
            [Attr("mode", "linear"), Attr("coordinate_transformation_mode", alignCorners ? "align_corners" : "pytorch_half_pixel")]);
    }

    /// <summary>Bilinear resize to the spatial size of <paramref name="reference"/>.</summary>
    public OnnxValue ResizeLike(OnnxValue x, OnnxValue reference, bool alignCorners) =>
        ResizeBilinear(x, Dim(reference, 2), Dim(reference, 3), alignCorners);

    /// <summary>Bilinear upsampling by an integer factor.</summary>
    public OnnxValue ResizeScale(OnnxValue x, long factor, bool alignCorners) =>
        ResizeBilinear(x, Node("Mul", Dim(x, 2), Int64s(factor)), Node("Mul", Dim(x, 3), Int64s(factor)), alignCorners);

    /// <summary>Zero padding at the bottom and right of an N x C x H x W tensor by symbolic amounts.</summary>
    public OnnxValue PadBottomRight(OnnxValue x, OnnxValue bottom, OnnxValue right) =>
        Node("Pad", x, ShapeOf(0L, 0L, 0L, 0L, 0L, 0L, bottom, right));
}
