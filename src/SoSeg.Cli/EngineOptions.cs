using System.CommandLine;
using Google.Protobuf;
using SoSeg.Export;
using SoSeg.Inference;
using SoSeg.Training;
using static TorchSharp.torch;
using SoSeg.Checkpoints;

namespace SoSeg.Cli;

/// <summary>--engine for the commands that run a trained model: TorchSharp, or ONNX Runtime on an exported file.</summary>
public sealed class EngineOptions
{
    readonly Option<string> _engine = new("--engine")
    {
        Description = "What runs the network: torch (TorchSharp) or onnx (ONNX Runtime: on a .onnx file from soseg export, or on a " +
                      "checkpoint exported on the fly; its CUDA provider with --device cuda, which then needs the GPU package of ONNX Runtime and a GPU, or with auto where they are present).",
        DefaultValueFactory = _ => "torch",
    };

    // The --engine options made here (bench has an --engine of its own that also runs TorchSharp).
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Option<string>, object> Created = new();

    public EngineOptions()
    {
        _engine.AcceptOnlyFromAmong("torch", "onnx");
        Created.Add(_engine, this);
    }

    /// <summary>
    /// True when the command runs its network in ONNX Runtime only (--engine onnx): it then needs no CUDA libtorch
    /// for --device cuda, since ONNX Runtime brings its own CUDA provider.
    /// </summary>
    public static bool RunsOnOnnxRuntimeOnly(ParseResult parse) =>
        parse.CommandResult.Command.Options.OfType<Option<string>>().FirstOrDefault(o => Created.TryGetValue(o, out _)) is { } engine &&
        parse.GetValue(engine) == "onnx";

    public void AddTo(Command command) => command.Options.Add(_engine);

    /// <summary>
    /// The engine and the facts of the trained model for <paramref name="path"/> (a .ckpt, a run folder or,
    /// with --engine onnx, a .onnx file); notes (auto falling back from CUDA to the CPU) go to <paramref name="log"/>.
    /// </summary>
    public (ISegmentationEngine Engine, CheckpointInfo Info, string Source) Open(ParseResult parse, string path, DeviceOptions device, TextWriter log)
    {
        bool onnxFile = path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);
        if (parse.GetValue(_engine) == "torch")
        {
            if (onnxFile) throw new ArgumentException($"{path}: an ONNX file runs with --engine onnx.");
            string checkpointPath = RunFolder.CheckpointOf(path, log);
            var torchDevice = device.Resolve(parse);
            var (model, info) = Checkpoint.LoadModel(checkpointPath, torchDevice);
            model.Precision = device.Precision(parse);
            model.ChannelsLast = device.ChannelsLast(parse);
            if (info.Unverified) log.WriteLine(CheckpointInfo.UnverifiedNote(checkpointPath));
            return (new OwnedTorchEngine(model, torchDevice), info, checkpointPath);
        }

        // ONNX Runtime picks its own provider from --device (a CUDA libtorch plays no part).
        var onnxDevice = device.Spec(parse);
        OnnxRuntimeEngine engine;
        string source;
        if (onnxFile)
        {
            source = path;
            engine = OnnxRuntimeEngine.Open(path, onnxDevice);
        }
        else
        {
            source = RunFolder.CheckpointOf(path, log);
            var (model, info) = Checkpoint.LoadModel(source, CPU);
            if (info.Unverified) log.WriteLine(CheckpointInfo.UnverifiedNote(source));
            using (model)
                engine = OnnxRuntimeEngine.FromBytes(OnnxExporter.Build(model, info).ToByteArray(), source, onnxDevice);
        }
        if (engine.FallbackNote is { } note) log.WriteLine($"note: {note}");
        return (engine, engine.Info, source);
    }

    /// <summary>The TorchSharp model behind <paramref name="engine"/>, or null for ONNX Runtime (for memory estimates).</summary>
    public static Models.SegmentationModel? TorchModelOf(ISegmentationEngine engine) => (engine as OwnedTorchEngine)?.Model;

    /// <summary>A TorchSharp engine that disposes its model with itself.</summary>
    sealed class OwnedTorchEngine(Models.SegmentationModel model, Device device) : ISegmentationEngine
    {
        public Models.SegmentationModel Model => model;
        readonly TorchEngine _inner = new(model, device);
        public int InChannels => _inner.InChannels;
        public int NumClasses => _inner.NumClasses;
        public Device Device => _inner.Device;
        public string Description => _inner.Description;
        public Tensor Logits(Tensor batch) => _inner.Logits(batch);
        public void Dispose() => model.Dispose();
    }
}
