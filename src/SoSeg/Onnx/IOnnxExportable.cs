namespace SoSeg.Onnx;

/// <summary>
/// A module that can write its eval-mode forward pass into an <see cref="OnnxGraph"/>. SoSeg's composite
/// blocks implement it next to their <c>forward</c>; TorchSharp's layers are mapped once in
/// <see cref="OnnxModules"/>. A module built only from exportable parts (e.g. a Sequential of blocks)
/// needs no export code of its own.
/// </summary>
public interface IOnnxExportable
{
    /// <summary>Adds the nodes computing this module's output from <paramref name="x"/>; returns the output.</summary>
    OnnxValue Export(OnnxGraph g, OnnxValue x);
}

/// <summary>As <see cref="IOnnxExportable"/> for modules with two tensor inputs (refinement branches and the like).</summary>
public interface IOnnxExportable2
{
    OnnxValue Export(OnnxGraph g, OnnxValue a, OnnxValue b);
}
