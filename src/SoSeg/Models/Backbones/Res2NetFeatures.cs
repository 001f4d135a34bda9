using static TorchSharp.torch;

namespace SoSeg.Models.Backbones;

/// <summary>
/// Multi-scale features of a Res2Net: <see cref="Stem"/> after the max-pool (64 channels, stride 4) and the
/// four stage outputs X1..X4 (256, 512, 1024, 2048 channels at strides 4, 8, 16, 32).
/// </summary>
public sealed record Res2NetFeatures(Tensor Stem, Tensor X1, Tensor X2, Tensor X3, Tensor X4) : IDisposable
{
    public void Dispose()
    {
        Stem.Dispose();
        X1.Dispose();
        X2.Dispose();
        X3.Dispose();
        X4.Dispose();
    }
}

/// <summary>The same features as symbolic values of an ONNX export.</summary>
public sealed record Res2NetOnnxFeatures(SoSeg.Onnx.OnnxValue Stem, SoSeg.Onnx.OnnxValue X1, SoSeg.Onnx.OnnxValue X2, SoSeg.Onnx.OnnxValue X3, SoSeg.Onnx.OnnxValue X4);
