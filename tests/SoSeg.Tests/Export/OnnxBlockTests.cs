using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using SoSeg.Models.Blocks;
using SoSeg.Models.SoSegFormer;
using SoSeg.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Tests.Export;

/// <summary>Single blocks, exported alone, compute what their TorchSharp forward computes (activations of order one).</summary>
public class OnnxBlockTests
{
    [Fact]
    public void Linear_attention_stage_former_matches_TorchSharp()
    {
        var config = new StageFormerConfig(AttentionKind.Linear, 1, 2, 2, 2, LocalConvKind.DepthwiseSeparable, 0.25, 8, 0, 1e-5);
        AssertParity(new StageFormer(16, config), randn(2, 16, 6, 10), 1e-5);
    }

    [Fact]
    public void Multi_head_attention_stage_former_matches_TorchSharp()
    {
        var config = new StageFormerConfig(AttentionKind.MultiHead, 2, 2, 2, 2, LocalConvKind.Full, 0.25, 8, 0, 1e-5);
        AssertParity(new StageFormer(16, config), randn(2, 16, 6, 10), 1e-5);
    }

    [Fact]
    public void Aspp_matches_TorchSharp() => AssertParity(new Aspp(8, 4, [2, 3]), randn(2, 8, 9, 7), 1e-5);

    [Theory]
    [InlineData(2, true)]
    [InlineData(1, true)]
    [InlineData(1, false)]
    public void Res2Net_bottleneck_matches_TorchSharp(int stride, bool stage)
    {
        var block = new SoSeg.Models.Backbones.Bottle2neck(stage ? 32 : 64, 16, stride, stage, baseWidth: 26, scale: 4);
        AssertParity(block, randn(2, stage ? 32 : 64, 12, 14), 1e-5);
    }

    [Theory]
    [InlineData(true, 24, 16)]
    [InlineData(false, 24, 16)]
    [InlineData(false, 6, 4)]
    [InlineData(true, 6, 4)]
    public void Bilinear_resize_matches_TorchSharp(bool alignCorners, int height, int width)
    {
        AssertParity(new ResizeProbe(height, width, alignCorners), randn(2, 3, 12, 8), 1e-5);
    }

    sealed class ResizeProbe(long height, long width, bool alignCorners) : nn.Module<Tensor, Tensor>("resize"), IOnnxExportable
    {
        public override Tensor forward(Tensor x) => Resample.To(x, height, width, alignCorners);
        public OnnxValue Export(OnnxGraph g, OnnxValue x) => g.ResizeBilinear(x, g.Int64s(height), g.Int64s(width), alignCorners);
    }

    /// <summary>Exports <paramref name="module"/> (eval mode) with a symbolic input of the same rank and compares on <paramref name="input"/>.</summary>
    internal static double AssertParity(nn.Module<Tensor, Tensor> module, Tensor input, double tolerance)
    {
        module.eval();
        using var noGrad = no_grad();
        var g = new OnnxGraph();
        var names = Enumerable.Range(0, (int)input.dim()).Select(i => $"d{i}").ToArray();
        var x = g.Input("x", new long?[input.dim()], names);
        g.Output(module.Export(g, x), "y", new long?[input.dim()], names);
        var proto = new ModelProto { IrVersion = 8, Graph = g.Proto };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = g.Opset });
        using var session = new InferenceSession(proto.ToByteArray());
        using var ortInput = OrtValue.CreateTensorValueFromMemory(input.contiguous().data<float>().ToArray(), input.shape);
        using var outputs = session.Run(new RunOptions(), new Dictionary<string, OrtValue> { ["x"] = ortInput }, ["y"]);
        var actual = torch.tensor(outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape);
        var expected = module.call(input);
        Assert.Equal(expected.shape, actual.shape);
        double diff = (expected - actual).abs().max().item<float>();
        Assert.True(diff <= tolerance, $"{module.GetName()}: differs by {diff:E2} (output up to {expected.abs().max().item<float>():G4})");
        return diff;
    }
}
