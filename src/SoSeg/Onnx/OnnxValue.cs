namespace SoSeg.Onnx;

/// <summary>
/// A symbolic tensor: the name of a value in an <see cref="OnnxGraph"/> being built. Export code mirrors a
/// module's forward with these in place of TorchSharp tensors; the arithmetic operators add graph nodes.
/// </summary>
public sealed class OnnxValue
{
    internal OnnxValue(OnnxGraph graph, string name)
    {
        Graph = graph;
        Name = name;
    }

    /// <summary>The graph this value belongs to.</summary>
    public OnnxGraph Graph { get; }

    /// <summary>The value's name in the graph.</summary>
    public string Name { get; }

    public static OnnxValue operator +(OnnxValue a, OnnxValue b) => a.Graph.Node("Add", a, b);
    public static OnnxValue operator -(OnnxValue a, OnnxValue b) => a.Graph.Node("Sub", a, b);
    public static OnnxValue operator *(OnnxValue a, OnnxValue b) => a.Graph.Node("Mul", a, b);
    public static OnnxValue operator /(OnnxValue a, OnnxValue b) => a.Graph.Node("Div", a, b);
    public static OnnxValue operator *(OnnxValue a, double b) => a.Graph.Node("Mul", a, a.Graph.Scalar(b));
    public static OnnxValue operator -(OnnxValue a, double b) => a.Graph.Node("Sub", a, a.Graph.Scalar(b));

    public override string ToString() => Name;
}
