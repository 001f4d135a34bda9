using Google.Protobuf;
using SoSeg.Export;
using SoSeg.Inference;
using SoSeg.Training;
using System.Diagnostics;
using SoSeg.Models;
using SoSeg.Models.Analysis;
using SoSeg.Runtime;
using SoSeg.Monitoring;
using SoSeg.App.Terminal;
using SoSeg.Losses;
using SoSeg.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Checkpoints;
using SoSeg.Models.Catalog;

namespace SoSeg.App.Benchmarks;

/// <summary>
/// Measures a registered model on one device: parameters, counted GFLOPs, inference forward time and
/// full training-step time (forward, cross-entropy, backward, AdamW step), the AdamW update's own time, images/s and peak memory;
/// optionally the same forward exported to ONNX and run in ONNX Runtime.
/// Each phase runs its warm-up steps, then its timed steps, each step in its own dispose scope; figures
/// are medians. CUDA work is synchronised before every clock read.
/// </summary>
public static class ModelBenchmark
{
    /// <summary>Runs the benchmark. <paramref name="cache"/> supplies FLOP counts already known (null: count now, keep nothing).</summary>
    public static BenchmarkResult Run(BenchmarkSettings settings, Device device, IProgressContext? progress = null,
                                      ModelStatisticsCache? cache = null)
    {
        settings.Validate();
        TorchRuntime.Seed(settings.Seed, device);
        using var model = ModelRegistry.Create(settings.Model, settings.InChannels, settings.NumClasses, settings.Options);
        model.to(device);
        var profile = ActivationProfile.Of(model, settings.Model);
        (settings.TrainStep ? profile.Training(settings.Batch, settings.Size) : profile.Prediction(settings.Size, settings.Batch))
            .EnsureFits($"--size {settings.Size} with --batch {settings.Batch}", device);
        var statistics = (cache ?? new ModelStatisticsCache(null))
            .GetOrCompute(settings.Model, settings.InChannels, settings.NumClasses, settings.Options, settings.Size, model);

        model.Precision = settings.Precision;
        model.ChannelsLast = settings.ChannelsLast;

        using var images = torch.randn([settings.Batch, settings.InChannels, settings.Size, settings.Size], device: device);
        using var targets = torch.randint(0, settings.NumClasses, [settings.Batch, settings.Size, settings.Size], dtype: ScalarType.Int64, device: device);
        var probe = new MemoryProbe(device);

        model.eval();
        probe.StartPhase();
        var forward = TimePhase("forward", settings, device, probe, progress, () =>
        {
            using var noGrad = torch.no_grad();
            model.call(images);
        });
        var forwardMemory = probe.Peak();

        PhaseTiming? onnxForward = null;
        string? onnxProvider = null;
        if (settings.Onnx)
        {
            var info = new CheckpointInfo { Model = settings.Model, InChannels = settings.InChannels, NumClasses = settings.NumClasses, ClassNames = [.. Enumerable.Range(0, settings.NumClasses).Select(i => $"class{i}")] };
            using var engine = OnnxRuntimeEngine.FromBytes(OnnxExporter.Build(model, info).ToByteArray(), settings.Model,
                // Next to a CUDA TorchSharp run, ONNX Runtime's CUDA provider where it has one; its description names what ran.
                device.type == DeviceType.CUDA ? SoSeg.Runtime.DeviceSpec.Auto : SoSeg.Runtime.DeviceSpec.Cpu);
            onnxProvider = engine.Description;
            // The engine takes and returns CPU tensors, as the predictor hands them over.
            using var cpuImages = images.cpu();
            onnxForward = TimePhase("onnxruntime forward", settings, device, probe, progress, () => engine.Logits(cpuImages));
        }

        PhaseTiming? train = null, optimizerStep = null;
        MemoryFigure? trainMemory = null;
        if (settings.TrainStep)
        {
            model.train();
            // The paper's optimiser; created after the model moved to its device.
            using var optimizer = TrainingOptimizers.AdamW(settings.Optimizer, model.parameters(), lr: 5e-5, beta1: 0.9, beta2: 0.999, weightDecay: 0.03);
            var loss = new CrossEntropyLoss();
            probe.StartPhase();
            train = TimePhase("train step", settings, device, probe, progress, () =>
            {
                optimizer.ZeroGrad();
                using var value = loss.Compute(new SegmentationOutput(model.call(images)), targets);
                value.backward();
                optimizer.Step();
                value.item<float>();
            });
            trainMemory = probe.Peak();
            // The update alone, on the gradients the last step left: the optimizer's share of a step.
            optimizerStep = TimePhase("optimizer step", settings, device, probe, progress, optimizer.Step);
        }

        return new BenchmarkResult(
            statistics.Model, DeviceText(device), DeviceName(device), torch.get_num_threads(), settings.Size, settings.Batch,
            settings.Steps, settings.Warmup, statistics.Parameters, statistics.Flops.GFlops, statistics.Flops.GMacs,
            forward, train, forwardMemory, trainMemory, onnxForward, onnxProvider, optimizerStep, settings.Optimizer, settings.Precision.Name(),
            settings.ChannelsLast ? "channels-last" : "nchw");
    }

    static PhaseTiming TimePhase(string name, BenchmarkSettings settings, Device device, MemoryProbe probe,
                                 IProgressContext? progress, Action step)
    {
        var task = progress?.AddTask($"{settings.Model} {name}", settings.Warmup + settings.Steps);
        var times = new List<double>(settings.Steps);
        for (int i = 0; i < settings.Warmup + settings.Steps; i++)
        {
            Synchronize(device);
            var clock = Stopwatch.StartNew();
            using (torch.NewDisposeScope())
            {
                step();
                Synchronize(device);
            }
            clock.Stop();
            probe.Sample();
            if (i >= settings.Warmup) times.Add(clock.Elapsed.TotalMilliseconds);
            task?.Advance();
            task?.Status(i < settings.Warmup ? "warm-up" : $"{clock.Elapsed.TotalMilliseconds:0} ms");
        }
        task?.Complete();
        return PhaseTiming.Of(times, settings.Batch);
    }

    static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
    }

    static string DeviceText(Device device) => device.type == DeviceType.CUDA ? $"cuda:{Math.Max(0, device.index)}" : "cpu";

    static string DeviceName(Device device)
    {
        if (device.type == DeviceType.CUDA)
            return GpuInfo.ForCudaDevice(device.index)?.Name ?? "CUDA GPU";
        string? model = null;
        try
        {
            model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return $"{model ?? "CPU"}, {Environment.ProcessorCount} logical CPUs";
    }
}
