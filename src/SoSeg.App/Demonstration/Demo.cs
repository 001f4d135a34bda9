using SoSeg.Augmentation;
using SoSeg.Data.Datasets;
using SoSeg.Planning;
using SoSeg.Data.Synthetic;
using SoSeg.Inference;
using SoSeg.Monitoring;
using SoSeg.Runtime;
using SoSeg.App.Terminal;
using SoSeg.Training;
using SoSeg.App.Comparison;
using SoSeg.App.Comparison.Executors;
using SoSeg.App.Comparison.Grid;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.App.Demonstration;

/// <summary>What `soseg demo` does on a device: dataset size, models and a schedule that fits a few minutes.</summary>
/// <param name="ParallelCells">Models trained at a time, each in its own process (<see cref="CellProcesses"/>); 1: one after another in this process.</param>
/// <param name="PlannedRecipe">
/// Loss, foreground oversampling, scale mode and selection come from <see cref="RecipePlanner"/> on the generated data
/// (written to plan.json in the demo folder); the frames, models, schedule and crop stay the demo's.
/// </param>
public sealed record DemoPlan(int Frames, IReadOnlyList<string> Models, IReadOnlyDictionary<string, Dictionary<string, string>> ModelOptions,
                              TrainingOptions Training, int PredictionWindow, int ParallelCells = 1, bool PlannedRecipe = false)
{
    /// <summary>Why the demo uses the recipe it uses, for its log.</summary>
    public string RecipeReason => PlannedRecipe
        ? "it beat the paper's loss and uniform crops for both models over three seeds of this demo (docs/small-objects.md)"
        : "the planned recipe was compared with it in the CPU demo only";

    /// <summary>
    /// CPU: a small sperm dataset, sosegformer-s against a narrow U-Net, 256 crops rescaled around the frames' own
    /// size (the authors' crop-relative scale would shrink 640 x 480 frames to a 256 crop and erase 1-px tails), and a
    /// short schedule (150 steps) with a higher learning rate than the paper's 5e-5, which assumes 100 epochs. Loss,
    /// oversampling and selection are planned from the data (<see cref="PlannedRecipe"/>): over three seeds that beat
    /// cross-entropy on uniform crops for both models (docs/small-objects.md). It stays in float32: bf16
    /// (`--precision bf16`) trains it about 20% faster but did not give figures as good in every comparison
    /// (docs/benchmarks.md).
    /// CUDA: the paper-scale sosegformer against the full U-Net at 512 crops.
    /// </summary>
    public static DemoPlan For(Device device) => device.type == DeviceType.CUDA
        ? new DemoPlan(200, ["sosegformer", "unet"], new Dictionary<string, Dictionary<string, string>>(),
            new TrainingOptions { Epochs = 30, BatchSize = 4, LearningRate = 2e-4, MinLearningRate = 1e-6, WarmupEpochs = 1, Augmentation = AugmentationOptions.Default with { CropSize = 512 } },
            PredictionWindow: 512)
        : new DemoPlan(40, ["sosegformer-s", "unet"], new Dictionary<string, Dictionary<string, string>> { ["unet"] = new() { ["base-width"] = "16" } },
            new TrainingOptions
            {
                Epochs = 6, StepsPerEpoch = 25, BatchSize = 4, LearningRate = 2e-3, MinLearningRate = 1e-5, WarmupEpochs = 1, ValidateEvery = 3,
                Augmentation = ScaleMode.Image.ApplyTo(AugmentationOptions.Default with { CropSize = 256, ScaleMin = 0.8, ScaleMax = 1.25 }),
            },
            PredictionWindow: 640, PlannedRecipe: true);

    /// <summary>This plan changed: another frame count, epoch count, steps per epoch, training crop, models trained at a time or precision (null keeps the plan's).</summary>
    public DemoPlan Resized(int? frames = null, int? epochs = null, int? stepsPerEpoch = null, int? crop = null, int? parallel = null,
                            Runtime.Precision? precision = null)
    {
        if (parallel is < 1) throw new ArgumentException($"--parallel must be at least 1 (got {parallel}).");
        if (frames is < 4) throw new ArgumentException($"--frames must be at least 4, for training, validation and test frames (got {frames}).");
        if (epochs is < 1) throw new ArgumentException($"--epochs must be at least 1 (got {epochs}).");
        if (stepsPerEpoch is < 1) throw new ArgumentException($"--steps-per-epoch must be at least 1 (got {stepsPerEpoch}).");
        int newEpochs = epochs ?? Training.Epochs;
        return this with
        {
            Frames = frames ?? Frames,
            ParallelCells = parallel ?? ParallelCells,
            Training = Training with
            {
                Epochs = newEpochs,
                StepsPerEpoch = stepsPerEpoch ?? Training.StepsPerEpoch,
                Augmentation = Training.Augmentation with { CropSize = crop ?? Training.Augmentation.CropSize },
                WarmupEpochs = Math.Min(Training.WarmupEpochs, newEpochs),
                Precision = precision ?? Training.Precision,
                ValidateEvery = Math.Min(Training.ValidateEvery, newEpochs),
            },
        };
    }
}

/// <summary>
/// `soseg demo`: with no data from the user, generates a synthetic SemSperm-like dataset, trains SoSegFormer
/// and a baseline on it, evaluates both with the paper's metrics and writes the comparison report.
/// </summary>
public static class Demo
{
    const string Command = "soseg demo";

    /// <summary>
    /// Runs the demo in <paramref name="folder"/>: new, empty or an earlier demo's folder (reused); another folder only with
    /// <paramref name="force"/>. <paramref name="plan"/> says what to run (default: <see cref="DemoPlan.For"/> the device).
    /// </summary>
    /// <param name="sosegCommand">How to start soseg for models trained side by side (<see cref="DemoPlan.ParallelCells"/>); null trains them one after another here.</param>
    public static ComparisonResult Run(string folder, Device device, Progress progress, TextWriter log, CancellationToken cancel = default, DemoPlan? plan = null, bool force = false,
                                       IReadOnlyList<string>? sosegCommand = null)
    {
        plan ??= DemoPlan.For(device);
        folder = IO.OutputFolder.Claim(folder, IO.OutputKind.Demo, Command, force);
        using var writer = IO.FolderLock.Acquire(folder, Command);
        string data = Path.Combine(folder, "data");
        if (!File.Exists(Path.Combine(data, Data.DatasetManifest.FileName)))
        {
            log.WriteLine($"generating {plan.Frames} synthetic sperm frames (640 x 480, normal and abnormal sperm, all under 1% of the image) in {data}");
            if (Directory.Exists(data)) Directory.Delete(data, recursive: true); // an interrupted generation: start it again
            progress.Run(ctx => SyntheticGenerators.Get("sperm").Generate(data, plan.Frames, seed: 2024, ctx.AddTask("generate", plan.Frames)));
        }
        else log.WriteLine($"reusing the dataset in {data}");

        var training = plan.Training;
        if (plan.PlannedRecipe)
        {
            var recipe = RecipePlanner.Plan(DatasetFingerprint.Compute(SegmentationDataset.Open(data)));
            recipe.Write(Path.Combine(folder, "plan.json"));
            // The demo keeps its own schedule and crop: the plan's 100 epochs and full-frame crop would take hours on a CPU.
            training = recipe.Apply(training, setting => setting is nameof(AugmentationOptions.CropSize) or nameof(TrainingOptions.BatchSize) or nameof(TrainingOptions.Epochs));
        }

        var options = new ComparisonOptions
        {
            Data = data,
            Models = plan.Models,
            ModelOptions = plan.ModelOptions,
            Seeds = 1,
            Training = training,
            Prediction = new PredictionOptions { WindowSize = plan.PredictionWindow },
            FigureImages = 3,
        };
        log.WriteLine($"training {string.Join(" and ", plan.Models)} for {training.Epochs} epochs on {device.type.ToString().ToLowerInvariant()} " +
                      $"(crop {training.Augmentation.CropSize}, batch {training.BatchSize}{(training.Precision == Precision.Bf16 ? ", bf16" : "")}, lr {training.LearningRate:0.#e+00} -> {training.MinLearningRate:0.#e+00})");
        log.WriteLine($"recipe: {(plan.PlannedRecipe ? $"planned from the data ({Path.Combine(folder, "plan.json")})" : "the paper's loss and crops")}: loss {training.Loss}, " +
                      $"{(training.Augmentation.OversampleForeground > 0 ? $"{training.Augmentation.OversampleForeground:P0} of crops on objects" : "uniform crops")}, " +
                      $"scale mode {training.Augmentation.ScaleMode.ToString().ToLowerInvariant()}, best checkpoint by {training.SelectBy}; {plan.RecipeReason}");
        string report = Path.Combine(folder, "report");
        var comparison = new ModelComparison(options, device, progress, log);
        if (plan.ParallelCells > 1 && sosegCommand is not null && device.type == DeviceType.CPU)
        {
            comparison.CheckBeforeWork();
            report = IO.OutputFolder.Claim(report, IO.OutputKind.Report, "soseg compare", force, [data]);
            var grid = ComparisonGrid.Create(report, [options], "cpu", allowTf32: true, "local", slurm: null);
            grid.Save();
            new CellProcesses(grid, plan.ParallelCells, Runtime.CpuBudget.Current.Count, sosegCommand, log).Run(cancel);
        }
        return comparison.Run(report, cancel, force);
    }
}
