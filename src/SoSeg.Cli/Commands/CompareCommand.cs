using System.CommandLine;
using SoSeg.Comparison;
using SoSeg.Data.Datasets;
using SoSeg.Inference;

namespace SoSeg.Cli.Commands;

/// <summary>soseg compare: every model x seed with one recipe, then tables like the paper's Tables II/III and a Fig. 3-style picture.</summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Dataset folder.", Required = true };
        var models = new Option<string>("--models") { Description = "Comma-separated registered models, e.g. sosegformer-s,unet,pranet.", Required = true };
        var seeds = new Option<int>("--seeds") { Description = "Training runs per model (mean ± std over them; the paper averages 3).", DefaultValueFactory = _ => 3 };
        var firstSeed = new Option<long>("--first-seed") { Description = "Seed of the first run; run k uses first-seed + k.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Report folder (runs/, comparison.md, comparison.html, figure.png). Finished runs in it are reused.", Required = true };
        var window = new Option<int?>("--window") { Description = "Prediction window for validation and test (default: the crop)." };
        var figureImages = new Option<int>("--figure-images") { Description = "Rows of the prediction picture (0: none).", DefaultValueFactory = _ => 4 };
        var dropEmpty = new Option<bool>("--drop-empty-slices") { Description = "Volumes: train only on slices with foreground." };
        var recipe = new RecipeOptions(perModelOptions: true);
        var device = new DeviceOptions(threads: true);
        var command = new Command("compare", "Train and evaluate several models (x seeds) on one dataset with one recipe; write tables like the paper's Tables II/III (markdown + HTML, best per column highlighted) and a Fig. 3-style picture.")
        {
            data, models, seeds, firstSeed, output, window, figureImages, dropEmpty,
        };
        device.AddTo(command);
        recipe.AddTo(command);
        command.SetAction(parse =>
        {
            var log = parse.InvocationConfiguration.Output;
            var torchDevice = device.Resolve(parse);
            var training = recipe.Read(parse) with { Precision = device.Precision(parse) };
            // --model-option unet:base-width=32 applies to unet only; base-width=32 to every model.
            var perModel = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
            var shared = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (key, value) in training.ModelOptions)
            {
                int colon = key.IndexOf(':');
                if (colon < 0) { shared[key] = value; continue; }
                string name = key[..colon];
                if (!perModel.TryGetValue(name, out var own)) perModel[name] = own = new(StringComparer.OrdinalIgnoreCase);
                own[key[(colon + 1)..]] = value;
            }
            training = training with { ModelOptions = shared };
            var options = new ComparisonOptions
            {
                Data = Path.GetFullPath(parse.GetValue(data)!),
                Models = parse.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Seeds = parse.GetValue(seeds),
                FirstSeed = parse.GetValue(firstSeed),
                Training = training,
                ModelOptions = perModel,
                Dataset = new DatasetOptions { DropEmptySlices = parse.GetValue(dropEmpty) },
                Prediction = new PredictionOptions { WindowSize = parse.GetValue(window) ?? training.CropSize },
                FigureImages = parse.GetValue(figureImages),
            };
            using var cancel = CtrlC.Cancels(log);
            var result = new ModelComparison(options, torchDevice, CommonOptions.ProgressFor(parse, keepStdoutClean: false), log).Run(parse.GetValue(output)!, cancel.Token);
            log.WriteLine();
            log.WriteLine(result.Markdown);
            log.WriteLine($"report: {Path.Combine(result.ReportFolder, "comparison.html")} (and comparison.md{(result.Figure is null ? "" : ", figure.png")})");
            return 0;
        });
        return command;
    }
}
