using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SoSeg.App.Benchmarks;
using SoSeg.Models;
using SoSeg.Models.Analysis;
using SoSeg.Models.Catalog;

namespace SoSeg.Cli.Commands;

/// <summary>
/// soseg bench: parameters, counted GFLOPs, inference forward and training-step times, images/s and peak
/// memory of one model on one device (the logic is <see cref="ModelBenchmark"/>). To add an option:
/// declare it in <see cref="Create"/>, read it in <see cref="ReadSettings"/>, print it in <see cref="Print"/>.
/// </summary>
public static class BenchCommand
{
    /// <param name="cache">FLOP statistics cache (default: <see cref="ModelStatisticsCache.Default"/>); tests pass their own.</param>
    public static Command Create(ModelStatisticsCache? cache = null)
    {
        var model = new Option<string?>("--model") { Description = "Registered model name (see soseg models); optional with --augment." };
        var augment = new Option<bool>("--augment") { Description = "Also time the paper's training augmentations (batched on the device) at --size and --batch, next to the model's training step." };
        var defaults = new BenchmarkSettings { Model = "" };
        var size = new Option<int>("--size") { Description = "Square input side.", DefaultValueFactory = _ => defaults.Size };
        var batch = new Option<int>("--batch") { Description = "Images per step.", DefaultValueFactory = _ => defaults.Batch };
        var steps = new Option<int>("--steps") { Description = "Timed steps per phase (figures are medians).", DefaultValueFactory = _ => defaults.Steps };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up steps before each phase.", DefaultValueFactory = _ => defaults.Warmup };
        var channels = new Option<int>("--channels") { Description = "Input channels (1 grey, 3 RGB).", DefaultValueFactory = _ => defaults.InChannels };
        var classes = new Option<int>("--classes") { Description = "Classes K, background included.", DefaultValueFactory = _ => defaults.NumClasses };
        var forwardOnly = new Option<bool>("--forward-only") { Description = "Time inference only, not the training step." };
        var engine = new Option<string>("--engine") { Description = "torch: TorchSharp only; onnx: also export the same weights to ONNX and time ONNX Runtime's forward next to TorchSharp's (implies --forward-only).", DefaultValueFactory = _ => "torch" };
        engine.AcceptOnlyFromAmong("torch", "onnx");
        var optimizer = new Option<string>("--optimizer") { Description = "AdamW of the training step: adamw (one buffer) or adamw-per-tensor (TorchSharp's).", DefaultValueFactory = _ => defaults.Optimizer };
        var seed = new Option<long>("--seed") { Description = "Seed of the weights and the random batch.", DefaultValueFactory = _ => defaults.Seed };
        var modelOptions = CommonOptions.ModelOptions();
        var device = new DeviceOptions(channelsLast: true);
        var json = CommonOptions.Json();
        var command = new Command("bench",
            "Benchmark a model: parameters, GFLOPs of one image (counted), inference forward and full training step " +
            "(forward, cross-entropy, backward, AdamW) times as medians after warm-up, images/s, and peak memory " +
            "(CPU: process RSS high-water mark; CUDA: device memory in use from NVML).")
        {
            model, augment, size, batch, steps, warmup, channels, classes, forwardOnly, engine, optimizer, seed, modelOptions,
        };
        device.AddTo(command);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            bool withAugmentation = parse.GetValue(augment);
            if (parse.GetValue(model) is null && !withAugmentation) throw new ArgumentException("Give --model NAME, --augment, or both.");
            var resolved = device.Resolve(parse);
            var output = parse.InvocationConfiguration.Output;
            bool asJson = parse.GetValue(json);
            var progress = CommonOptions.ProgressFor(parse, keepStdoutClean: true);
            BenchmarkResult? result = parse.GetValue(model) is null ? null
                : progress.Run(ctx => ModelBenchmark.Run(ReadSettings(parse, model, size, batch, steps, warmup, channels, classes, forwardOnly, optimizer, seed, modelOptions) with
                                                         { Onnx = parse.GetValue(engine) == "onnx", TrainStep = !parse.GetValue(forwardOnly) && parse.GetValue(engine) != "onnx", Precision = device.Precision(parse), ChannelsLast = device.ChannelsLast(parse) },
                                                         resolved, ctx, cache ?? ModelStatisticsCache.Default));
            AugmentationBenchmarkResult? augmentation = withAugmentation
                ? AugmentationBenchmark.Run(resolved, parse.GetValue(batch), repetitions: Math.Max(1, parse.GetValue(steps)), warmup: parse.GetValue(warmup),
                    options: Augmentation.AugmentationOptions.Default with { CropSize = parse.GetValue(size) }, channels: parse.GetValue(channels))
                : null;
            // JSON: the model's result; with --augment, {model, augmentation}.
            if (asJson)
                output.WriteLine(augmentation is null
                    ? JsonSerializer.Serialize(result, Json.Indented)
                    : JsonSerializer.Serialize(new { model = result, augmentation }, Json.Indented));
            else
            {
                if (result is not null) Print(result, output);
                if (augmentation is not null) PrintAugmentation(augmentation, result, output);
            }
            return 0;
        });
        return command;
    }

    static BenchmarkSettings ReadSettings(ParseResult parse, Option<string?> model, Option<int> size, Option<int> batch,
                                          Option<int> steps, Option<int> warmup, Option<int> channels, Option<int> classes,
                                          Option<bool> forwardOnly, Option<string> optimizer, Option<long> seed, Option<string[]> modelOptions) => new()
    {
        Model = ModelRegistry.Get(parse.GetValue(model)!).Name,
        Size = parse.GetValue(size),
        Batch = parse.GetValue(batch),
        Steps = parse.GetValue(steps),
        Warmup = parse.GetValue(warmup),
        InChannels = parse.GetValue(channels),
        NumClasses = parse.GetValue(classes),
        TrainStep = !parse.GetValue(forwardOnly),
        Optimizer = parse.GetValue(optimizer)!,
        Seed = parse.GetValue(seed),
        Options = ModelOptions.Parse(parse.GetValue(modelOptions)),
    };

    static void Print(BenchmarkResult r, TextWriter o)
    {
        var c = CultureInfo.InvariantCulture;
        o.WriteLine($"model       {r.Model}: {r.Parameters.ToString("N0", c)} parameters, " +
                    $"{r.GFlopsPerImage.ToString("0.0", c)} GFLOPs per {r.Size}x{r.Size} image (2 x MACs; fvcore {r.GMacsPerImage.ToString("0.0", c)} GMACs)");
        o.WriteLine($"device      {r.Device} ({r.DeviceName}), {r.Threads} libtorch thread(s), precision {r.Precision}, {r.MemoryFormat} activations");
        o.WriteLine($"input       batch {r.Batch} x {r.Size}x{r.Size}; {r.Warmup} warm-up + {r.Steps} timed step(s) per phase, medians");
        o.WriteLine(Phase("forward", r.Forward, r.ForwardPeakMemory, c));
        if (r.OnnxForward is not null)
            o.WriteLine(Phase("onnxruntime", r.OnnxForward, null, c) +
                        $" [{r.OnnxProvider}; {(r.Forward.MedianMs / r.OnnxForward.MedianMs).ToString("0.00", c)}x TorchSharp's speed]");
        if (r.TrainStep is not null) o.WriteLine(Phase("train step", r.TrainStep, r.TrainPeakMemory, c));
        if (r.OptimizerStep is not null) o.WriteLine($"{"optimizer",-11} {r.OptimizerStep.MedianMs.ToString("0.0", c)} ms of the train step ({r.Optimizer})");
        var source = r.TrainPeakMemory?.Source ?? r.ForwardPeakMemory?.Source;
        if (source is not null) o.WriteLine($"memory      {source}");
    }

    static void PrintAugmentation(AugmentationBenchmarkResult a, BenchmarkResult? model, TextWriter o)
    {
        var c = CultureInfo.InvariantCulture;
        o.WriteLine($"augmentation {a.ImagesPerSecond.ToString("0.0", c)} images/s on {a.Device} (batch {a.BatchSize} of {a.SourceWidth}x{a.SourceHeight} -> {a.CropSize}x{a.CropSize}, " +
                    $"{a.Channels} channel(s); median of {a.Repetitions}): {a.Transforms}");
        if (model?.TrainStep is { } train)
            o.WriteLine($"             {(a.ImagesPerSecond >= train.ImagesPerSecond ? "keeps up with" : "is SLOWER than")} the training step " +
                        $"({train.ImagesPerSecond.ToString("0.00", c)} images/s): {(a.ImagesPerSecond / train.ImagesPerSecond).ToString("0.0", c)}x");
    }

    static string Phase(string name, PhaseTiming t, MemoryFigure? memory, IFormatProvider c) =>
        $"{name,-11} {t.MedianMs.ToString("0.0", c)} ms (min {t.MinMs.ToString("0.0", c)}, max {t.MaxMs.ToString("0.0", c)}), " +
        $"{t.ImagesPerSecond.ToString("0.00", c)} images/s" +
        (memory is null ? "" : $", peak memory {(memory.Bytes / (1024.0 * 1024 * 1024)).ToString("0.00", c)} GiB");
}
