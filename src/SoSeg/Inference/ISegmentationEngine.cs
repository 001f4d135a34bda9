using SoSeg.Models;
using static TorchSharp.torch;

namespace SoSeg.Inference;

/// <summary>
/// What computes a network's logits for <see cref="SegmentationPredictor"/>: TorchSharp
/// (<see cref="TorchEngine"/>) or ONNX Runtime (<see cref="OnnxRuntimeEngine"/>). Preprocessing, sliding
/// window, flip TTA and outputs are the predictor's, shared by every engine.
/// </summary>
public interface ISegmentationEngine : IDisposable
{
    /// <summary>Image channels the network takes.</summary>
    int InChannels { get; }

    /// <summary>Classes K; logits have K channels.</summary>
    int NumClasses { get; }

    /// <summary>Where the predictor keeps its tensors (inputs given to <see cref="Logits"/> live there).</summary>
    Device Device { get; }

    /// <summary>One line naming the engine and where it runs, for logs and benchmark tables.</summary>
    string Description { get; }

    /// <summary>Logits N x K x H x W (float32, on <see cref="Device"/>) for a float32 batch N x C x H x W.</summary>
    Tensor Logits(Tensor batch);
}

/// <summary>The TorchSharp model itself, in eval mode, without gradients.</summary>
public sealed class TorchEngine(SegmentationModel model, Device device) : ISegmentationEngine
{
    public int InChannels => model.InChannels;
    public int NumClasses => model.NumClasses;
    public Device Device => device;
    public string Description => $"torch ({device.type.ToString().ToLowerInvariant()})";

    public Tensor Logits(Tensor batch)
    {
        model.eval();
        using var noGrad = no_grad();
        return model.call(batch);
    }

    /// <summary>The model belongs to the caller.</summary>
    public void Dispose() { }
}
