using SoSeg.Export;
using SoSeg.Tests.Models;
using static TorchSharp.torch;

namespace SoSeg.Tests.Export;

/// <summary>
/// A graph exported with a fixed size (export --fixed-size S) runs in ONNX Runtime at S x S with the parity of
/// the dynamic graph (S = 70 is no multiple of the size divisor, so the graph's padding and crop run with fixed
/// sizes), declares S in its input and output shapes, and refuses any other size with an error that says so.
/// </summary>
public class OnnxFixedSizeTests(Xunit.Abstractions.ITestOutputHelper output)
{
    const int Size = 70;

    [Theory]
    [InlineData("unet")]
    [InlineData("cfanet")]
    public void Fixed_size_graph_matches_TorchSharp_and_refuses_other_sizes(string name)
    {
        using var model = OnnxTestModels.Create(name);
        var info = OnnxTestModels.InfoFor(model, name);
        using var scope = NewDisposeScope();
        var input = randn(2, 3, Size, Size, generator: new TorchSharp.torch.Generator(21));
        OnnxTestModels.Calibrate(model, OnnxTestModels.CalibrationBatch(input, seed: 99));

        var proto = OnnxExporter.Build(model, info, new OnnxExportOptions { FixedSize = Size });
        var inputDims = proto.Graph.Input.Single().Type.TensorType.Shape.Dim;
        var outputDims = proto.Graph.Output.Single().Type.TensorType.Shape.Dim;
        Assert.Equal([Size, Size], inputDims.Skip(2).Select(d => d.DimValue));
        Assert.Equal([Size, Size], outputDims.Skip(2).Select(d => d.DimValue));
        Assert.Equal("batch", inputDims[0].DimParam);

        using var engine = OnnxTestModels.Export(model, info, new OnnxExportOptions { FixedSize = Size });
        Assert.Equal(((long)Size, (long)Size), engine.FixedSize);
        var comparison = OnnxParityTests.Compare(model, engine, input);
        output.WriteLine($"{name} fixed {Size}: {comparison}");
        comparison.AssertClose($"{name} exported at {Size} x {Size}");

        var wrong = Assert.Throws<SoSegException>(() => engine.Logits(randn(1, 3, Size, Size + 2)));
        Assert.Contains($"takes {Size} x {Size} images only, got {Size} x {Size + 2}", wrong.Message);
        Assert.Contains("--fixed-size", wrong.Message);
        Assert.Contains(info.Model, wrong.Message);
    }

    [Fact]
    public void A_dynamic_graph_has_no_fixed_size()
    {
        using var model = OnnxTestModels.Create("unet");
        using var engine = OnnxTestModels.Export(model, OnnxTestModels.InfoFor(model, "unet"));
        Assert.Null(engine.FixedSize);
    }
}
