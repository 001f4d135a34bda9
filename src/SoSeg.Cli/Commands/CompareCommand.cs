using System.CommandLine;
using SoSeg.App.Comparison;
using SoSeg.App.Comparison.Grid;
using SoSeg.Data.Datasets;
using SoSeg.Inference;
using SoSeg.IO;

namespace SoSeg.Cli.Commands;

/// <summary>soseg compare: every model x seed with one recipe, then tables like the paper's Tables II/III and a Fig. 3-style picture.</summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Dataset folder, or several comma-separated (one grid, one set of tables per dataset)." };
        var models = new Option<string?>("--models") { Description = "Comma-separated registered models, e.g. sosegformer-s,unet,pranet." };
        var seeds = new Option<int>("--seeds") { Description = "Training runs per model (mean ± std over them; the paper averages 3).", DefaultValueFactory = _ => 3 };
        var firstSeed = new Option<long>("--first-seed") { Description = "Seed of the first run; run k uses first-seed + k.", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out") { Description = "Report folder (runs/, comparison.md, comparison.html, figure.png; one subfolder per dataset when there are several). Finished runs in it are reused." };
        var window = new Option<int?>("--window") { Description = "Prediction window for validation and test (default: the crop)." };
        var figureImages = new Option<int>("--figure-images") { Description = "Rows of the prediction picture (0: none).", DefaultValueFactory = _ => 4 };
        var dropEmpty = new Option<bool>("--drop-empty-slices") { Description = "Volumes: train only on slices with foreground." };
        var recipe = new RecipeOptions(perModelOptions: true);
        var device = new DeviceOptions(threads: true);
        var cluster = new ClusterOptions();
        var force = CommonOptions.Force();
        var command = new Command("compare", "Train and evaluate several models (x seeds) on one or more datasets with one recipe, here or as Slurm tasks; write tables like the paper's Tables II/III (markdown + HTML, best per column highlighted) and a Fig. 3-style picture.")
        {
            data, models, seeds, firstSeed, output, window, figureImages, dropEmpty, force,
        };
        device.AddTo(command);
        recipe.AddTo(command);
        cluster.AddTo(command);
        command.SetAction(parse =>
        {
            var log = parse.InvocationConfiguration.Output;
            var torchDevice = cluster.LocalDevice(parse, device);
            var progress = CommonOptions.ProgressFor(parse, keepStdoutClean: false);
            using var cancel = CtrlC.Cancels(log);
            if (cluster.Collect(parse) is { } collect)
            {
                if (parse.GetValue(data) is not null || parse.GetValue(models) is not null || parse.GetValue(output) is not null)
                    throw new ArgumentException("--collect REPORT takes the datasets, models and recipe from REPORT/grid.json; leave out --data, --models and --out.");
                return CompareGrid.Execute(ComparisonGrid.Read(collect), cluster, parse, torchDevice, progress, log, cancel.Token, collectOnly: true, force: false);
            }
            string dataFolders = parse.GetValue(data) ?? throw new ArgumentException("--data is required (or --collect REPORT).");
            string modelList = parse.GetValue(models) ?? throw new ArgumentException("--models is required (or --collect REPORT).");
            string report = parse.GetValue(output) ?? throw new ArgumentException("--out is required: the report folder (or --collect REPORT).");
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
            var perDataset = dataFolders.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(folder => new ComparisonOptions
            {
                Data = Path.GetFullPath(folder),
                Models = modelList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Seeds = parse.GetValue(seeds),
                FirstSeed = parse.GetValue(firstSeed),
                Training = training,
                ModelOptions = perModel,
                Dataset = new DatasetOptions { DropEmptySlices = parse.GetValue(dropEmpty) },
                Prediction = new PredictionOptions { WindowSize = parse.GetValue(window) ?? training.Augmentation.CropSize },
                FigureImages = parse.GetValue(figureImages),
            }).ToList();
            // Nothing is written (grid.json included) into a folder SoSeg did not make, or into an input.
            OutputFolder.Check(report, OutputKind.Report, "soseg compare", parse.GetValue(force), perDataset.Select(d => d.Data));
            var grid = ComparisonGrid.Create(report, perDataset, device.Spec(parse).ToString(), device.AllowTf32(parse), cluster.Executor(parse), cluster.SlurmRequest(parse));
            return CompareGrid.Execute(grid, cluster, parse, torchDevice, progress, log, cancel.Token, collectOnly: false, parse.GetValue(force));
        });
        return command;
    }
}
