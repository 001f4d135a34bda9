using Microsoft.ML.OnnxRuntime;
using SoSeg.Export;
using SoSeg.Training;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Checkpoints;

namespace SoSeg.Inference;

/// <summary>
/// Runs an exported SoSeg .onnx file in ONNX Runtime: on its CUDA provider when asked for and present
/// (the GPU package of ONNX Runtime and a GPU), else on the CPU. Inputs and outputs are exchanged as CPU
/// tensors; the file's metadata replaces the checkpoint's facts.
/// </summary>
public sealed class OnnxRuntimeEngine : ISegmentationEngine
{
    const string CudaProvider = "CUDAExecutionProvider";
    readonly InferenceSession _session;
    readonly string[] _outputNames = [OnnxModelMetadata.OutputName];

    OnnxRuntimeEngine(InferenceSession session, string source, bool cuda, string? fallbackNote)
    {
        _session = session;
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Info = OnnxModelMetadata.ToCheckpointInfo(metadata, source);
        UsesCuda = cuda;
        FallbackNote = fallbackNote;
    }

    /// <summary>Opens an exported file; a damaged or foreign file is a one-line error naming it.</summary>
    public static OnnxRuntimeEngine Open(string path, bool preferCuda = false, int threads = 0)
    {
        if (!File.Exists(path)) throw new SoSegException($"{path}: ONNX file not found.");
        return Create(options => new InferenceSession(path, options), path, preferCuda, threads);
    }

    /// <summary>An engine for an in-memory model (e.g. a checkpoint exported on the fly).</summary>
    public static OnnxRuntimeEngine FromBytes(byte[] model, string source, bool preferCuda = false, int threads = 0) =>
        Create(options => new InferenceSession(model, options), source, preferCuda, threads);

    static OnnxRuntimeEngine Create(Func<SessionOptions, InferenceSession> open, string source, bool preferCuda, int threads)
    {
        string? note = null;
        bool cuda = false;
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (threads > 0) options.IntraOpNumThreads = threads;
        if (preferCuda)
        {
            if (!OrtEnv.Instance().GetAvailableProviders().Contains(CudaProvider))
                note = "ONNX Runtime's CUDA provider is not installed (the Microsoft.ML.OnnxRuntime.Gpu package); running on the CPU.";
            else
            {
                try
                {
                    options.AppendExecutionProvider_CUDA();
                    cuda = true;
                }
                catch (OnnxRuntimeException e)
                {
                    note = $"ONNX Runtime's CUDA provider could not start ({e.Message.Split('\n')[0]}); running on the CPU.";
                }
            }
        }
        try
        {
            return new OnnxRuntimeEngine(open(options), source, cuda, note);
        }
        catch (OnnxRuntimeException e)
        {
            throw new SoSegException($"{source}: ONNX Runtime cannot load it ({e.Message.Split('\n')[0]}).");
        }
        finally
        {
            options.Dispose();
        }
    }

    /// <summary>The facts the exporter wrote into the file (classes, label values, channels, crop...).</summary>
    public CheckpointInfo Info { get; }

    /// <summary>True when the CUDA provider runs the graph.</summary>
    public bool UsesCuda { get; }

    /// <summary>Why the CPU runs the graph although CUDA was asked for, or null.</summary>
    public string? FallbackNote { get; }

    public int InChannels => Info.InChannels;
    public int NumClasses => Info.NumClasses;
    public Device Device => CPU;
    public string Description => UsesCuda ? "onnxruntime (cuda)" : "onnxruntime (cpu)";

    public Tensor Logits(Tensor batch)
    {
        if (batch.dim() != 4 || batch.shape[1] != InChannels)
            throw new ArgumentException($"ONNX engine: expected N x {InChannels} x H x W, got [{string.Join(", ", batch.shape)}].");
        using var cpu = batch.to(ScalarType.Float32, CPU).contiguous();
        var data = cpu.data<float>().ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(data, batch.shape);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, new Dictionary<string, OrtValue> { [OnnxModelMetadata.InputName] = input }, _outputNames);
        var logits = outputs[0];
        long[] shape = logits.GetTensorTypeAndShape().Shape;
        return torch.tensor(logits.GetTensorDataAsSpan<float>().ToArray(), shape);
    }

    public void Dispose() => _session.Dispose();
}
