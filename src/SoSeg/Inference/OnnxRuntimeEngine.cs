using Microsoft.ML.OnnxRuntime;
using SoSeg.Export;
using SoSeg.Runtime;
using SoSeg.Training;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Checkpoints;

namespace SoSeg.Inference;

/// <summary>
/// Runs an exported SoSeg .onnx file in ONNX Runtime: on its CUDA execution provider when --device asks for
/// CUDA (explicitly, or auto with the provider present), else on the CPU. Inputs and outputs are exchanged as
/// CPU tensors; the file's metadata replaces the checkpoint's facts.
/// </summary>
public sealed class OnnxRuntimeEngine : ISegmentationEngine
{
    /// <summary>ONNX Runtime's name for its CUDA execution provider (in the Microsoft.ML.OnnxRuntime.Gpu package only).</summary>
    public const string CudaProvider = "CUDAExecutionProvider";
    readonly InferenceSession _session;
    readonly string _source;
    readonly string[] _outputNames = [OnnxModelMetadata.OutputName];

    OnnxRuntimeEngine(InferenceSession session, string source, bool cuda, string? fallbackNote)
    {
        _session = session;
        _source = source;
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Info = OnnxModelMetadata.ToCheckpointInfo(metadata, source);
        UsesCuda = cuda;
        FallbackNote = fallbackNote;
        // A file written with --fixed-size has fixed H and W (> 0); dynamic ones read as -1.
        if (session.InputMetadata.TryGetValue(OnnxModelMetadata.InputName, out var input) && input.Dimensions is [_, _, var h, var w] && h > 0 && w > 0)
            FixedSize = (h, w);
    }

    /// <summary>Opens an exported file; a damaged or foreign file is a one-line error naming it.</summary>
    /// <param name="device">Where to run: null or cpu for the CPU, auto for CUDA when ONNX Runtime has it, cuda / cuda:N for that GPU or an error.</param>
    public static OnnxRuntimeEngine Open(string path, DeviceSpec? device = null, int threads = 0)
    {
        if (!File.Exists(path)) throw new SoSegException($"{path}: ONNX file not found.");
        return Create(options => new InferenceSession(path, options), path, device ?? DeviceSpec.Cpu, threads);
    }

    /// <summary>An engine for an in-memory model (e.g. a checkpoint exported on the fly).</summary>
    public static OnnxRuntimeEngine FromBytes(byte[] model, string source, DeviceSpec? device = null, int threads = 0) =>
        Create(options => new InferenceSession(model, options), source, device ?? DeviceSpec.Cpu, threads);

    /// <summary>What <see cref="SelectProvider"/> decided: CUDA and its device, or the CPU with an optional note.</summary>
    public readonly record struct ProviderChoice(bool Cuda, int DeviceId, string? Note);

    /// <summary>
    /// The execution provider for <paramref name="device"/> given the providers this ONNX Runtime build offers:
    /// cpu runs on the CPU; auto takes CUDA when it is offered, else the CPU without a word; cuda / cuda:N takes
    /// CUDA or fails with <see cref="DeviceUnavailableException"/> (never a silent CPU run when a GPU was asked for).
    /// </summary>
    public static ProviderChoice SelectProvider(DeviceSpec device, IReadOnlyCollection<string> availableProviders)
    {
        bool offered = availableProviders.Contains(CudaProvider);
        return device.Kind switch
        {
            DeviceKind.Cpu => new(false, 0, null),
            DeviceKind.Auto => offered ? new(true, 0, null) : new(false, 0, null),
            _ when offered => new(true, Math.Max(0, device.Index), null),
            _ => throw new DeviceUnavailableException(
                $"--device {device} with --engine onnx needs ONNX Runtime's CUDA execution provider, and this ONNX Runtime has only " +
                $"{string.Join(", ", availableProviders)}. Install the GPU build (the Microsoft.ML.OnnxRuntime.Gpu package in place of " +
                "Microsoft.ML.OnnxRuntime) with a CUDA runtime and an NVIDIA driver, or use --device cpu."),
        };
    }

    static OnnxRuntimeEngine Create(Func<SessionOptions, InferenceSession> open, string source, DeviceSpec device, int threads)
    {
        var choice = SelectProvider(device, OrtEnv.Instance().GetAvailableProviders());
        string? note = choice.Note;
        bool cuda = false;
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (threads > 0) options.IntraOpNumThreads = threads;
        if (choice.Cuda)
        {
            try
            {
                options.AppendExecutionProvider_CUDA(choice.DeviceId);
                cuda = true;
            }
            catch (OnnxRuntimeException e)
            {
                string reason = e.Message.Split('\n')[0];
                options.Dispose();
                // auto may settle for the CPU; an explicit cuda may not.
                if (device.Kind != DeviceKind.Auto)
                    throw new DeviceUnavailableException($"--device {device}: ONNX Runtime's CUDA execution provider could not start ({reason}). Check nvidia-smi and the CUDA runtime, or use --device cpu.");
                note = $"ONNX Runtime's CUDA execution provider could not start ({reason}); running on the CPU.";
                options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
                if (threads > 0) options.IntraOpNumThreads = threads;
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

    /// <summary>Why the CPU runs the graph although auto found CUDA offered, or null.</summary>
    public string? FallbackNote { get; }

    /// <summary>H x W the graph was exported for with --fixed-size, or null when it takes any size.</summary>
    public (long Height, long Width)? FixedSize { get; }

    public int InChannels => Info.InChannels;
    public int NumClasses => Info.NumClasses;
    public Device Device => CPU;
    public string Description => UsesCuda ? "onnxruntime (cuda)" : "onnxruntime (cpu)";

    public Tensor Logits(Tensor batch)
    {
        if (batch.dim() != 4 || batch.shape[1] != InChannels)
            throw new ArgumentException($"ONNX engine: expected N x {InChannels} x H x W, got [{string.Join(", ", batch.shape)}].");
        if (FixedSize is var (height, width) && (batch.shape[2] != height || batch.shape[3] != width))
            throw new SoSegException($"{_source}: exported with --fixed-size, it takes {height} x {width} images only, got {batch.shape[2]} x {batch.shape[3]}. " +
                                     $"Export without --fixed-size for any size, or pass images (or a sliding window) of {height} x {width}.");
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
