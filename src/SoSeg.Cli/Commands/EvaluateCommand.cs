using System.CommandLine;
using SoSeg.Data.Datasets;
using SoSeg.Evaluation;
using SoSeg.IO;
using SoSeg.Metrics;
using SoSeg.Training;
using SoSeg.Checkpoints;
using SoSeg.App.Training;

namespace SoSeg.Cli.Commands;

/// <summary>soseg evaluate: the paper's metrics (both protocols, by object size) for a run, a checkpoint or a folder of masks.</summary>
public static class EvaluateCommand
{
    const string Command = "soseg evaluate";

    public static Command Create()
    {
        var run = new Option<string?>("--run") { Description = "Run folder: evaluates its best checkpoint (see --which) on the run's dataset unless --data is given." };
        var which = new Option<string>("--which") { Description = "Checkpoint of the run: best or last.", DefaultValueFactory = _ => "best" };
        which.AcceptOnlyFromAmong("best", "last");
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A .ckpt file, a run folder (its best checkpoint) or, with --engine onnx, a .onnx file from soseg export." };
        var predictions = new Option<string?>("--predictions") { Description = "Folder of masks from any tool: <case>.png (or .jpg/.bmp/.tif) for images, <case>.nii.gz for volumes, holding the dataset's label values." };
        var binarise = new Option<bool>("--binarize") { Description = "With --predictions on a two-class dataset: values above half range are foreground (for 0/255 masks)." };
        var data = new Option<string?>("--data") { Description = "Dataset folder (default with --run: the run's dataset)." };
        var subset = new Option<string>("--subset") { Description = "Cases to score: test, val (the run's validation split) or train.", DefaultValueFactory = _ => "test" };
        subset.AcceptOnlyFromAmong("test", "val", "train");
        var fold = new Option<int?>("--fold") { Description = "Fold for --subset val/train (default: the run's own fold with --run, else 0)." };
        var output = new Option<string?>("--out") { Description = "Folder for metrics.json, metrics.md and per_image.csv (default: next to the run/checkpoint/predictions)." };
        var json = CommonOptions.Json();
        var window = new PredictionWindowOptions("Flip test-time augmentation.", "Sliding-window size (default: the training crop).");
        var emptyCase = new Option<EmptyCasePolicy>("--empty-case") { Description = "Per-image score when prediction and label are both empty: Exclude (nnU-Net), CountAsOne, CountAsZero (PraNet).", DefaultValueFactory = _ => EmptyCasePolicy.Exclude };
        var detectionIoU = new Option<double>("--detection-iou") { Description = "IoU a ground-truth object needs with the predicted objects touching it to count as found (0 = any overlap).", DefaultValueFactory = _ => 0 };
        var device = new DeviceOptions(channelsLast: true);
        var force = CommonOptions.Force();
        var engineOption = new EngineOptions();

        var command = new Command("evaluate", "Score a run, a checkpoint or a folder of predicted masks with the paper's metrics (mIoU, mDice, MAE, Precision, F2) in both protocols, for ultra-small (<1%), small (<10%) and all objects, plus object-level found/missed/false positives.")
        {
            run, which, checkpoint, predictions, binarise, data, subset, fold, output, json, force,
        };
        window.AddTo(command);
        command.Options.Add(emptyCase);
        command.Options.Add(detectionIoU);
        engineOption.AddTo(command);
        device.AddTo(command);
        command.SetAction(parse =>
        {
            var log = parse.InvocationConfiguration.Output;
            bool asJson = parse.GetValue(json);
            // With --json stdout is JSON only: notes and progress go to stderr.
            var notes = asJson ? parse.InvocationConfiguration.Error : log;
            int sources = new[] { parse.GetValue(run), parse.GetValue(checkpoint), parse.GetValue(predictions) }.Count(s => s is not null);
            if (sources != 1) throw new ArgumentException("Give exactly one of --run, --checkpoint or --predictions.");

            TrainConfig? runConfig = parse.GetValue(run) is { } runFolder ? TrainConfig.Read(new RunFolder(runFolder).Config) : null;
            string dataFolder = parse.GetValue(data) ?? runConfig?.Data ?? throw new ArgumentException("--data is required with --checkpoint and --predictions.");
            var dataset = SegmentationDataset.Open(dataFolder, runConfig?.Dataset ?? new DatasetOptions());
            var evaluated = Enum.Parse<EvaluationSubset>(parse.GetValue(subset)!, ignoreCase: true);
            // A run's validation cases are those of the fold it trained on, from the split it kept (its splits.json,
            // wherever the split was made); another fold's would include its training cases.
            string? runSplits = parse.GetValue(run) is { } r0 && File.Exists(new RunFolder(r0).Splits) ? new RunFolder(r0).Splits : null;
            var items = DatasetEvaluation.SelectItems(dataset, evaluated, parse.GetValue(fold) ?? runConfig?.Training.Fold ?? 0, runConfig?.Training.Folds ?? 1, runSplits);
            var options = new EvaluationOptions { EmptyCase = parse.GetValue(emptyCase), DetectionMinIoU = parse.GetValue(detectionIoU) };
            options.Validate();
            var progress = CommonOptions.ProgressFor(parse, keepStdoutClean: asJson);
            string subsetName = evaluated.ToString().ToLowerInvariant();

            EvaluationReport report;
            string outputFolder;
            string title;
            // The output folder is checked before any work; it never overlaps what is read (dataset, masks, checkpoint).
            void CheckOutput(params string[] inputs) =>
                OutputFolder.Check(outputFolder, OutputKind.Evaluation, Command, parse.GetValue(force), [dataset.Root, .. inputs]);
            if (parse.GetValue(predictions) is { } predictionFolder)
            {
                outputFolder = parse.GetValue(output) ?? Path.GetFullPath(predictionFolder).TrimEnd('/') + $"-evaluation-{subsetName}";
                CheckOutput(predictionFolder);
                report = progress.Run(ctx => DatasetEvaluation.EvaluatePredictions(dataset, items, predictionFolder, options,
                    parse.GetValue(binarise), ctx.AddTask($"evaluate {items.Count} {subsetName} images", items.Count)));
                title = $"{Path.GetFileName(Path.GetFullPath(predictionFolder).TrimEnd('/'))} on {subsetName}";
            }
            else
            {
                string checkpointPath = parse.GetValue(checkpoint) is { } given ? RunFolder.CheckpointOf(given, notes)
                    : new RunFolder(parse.GetValue(run)!).ChooseCheckpoint(parse.GetValue(which)!, notes);
                outputFolder = parse.GetValue(output) ?? (parse.GetValue(run) is { } r
                    ? Path.Combine(new RunFolder(r).Folder, $"evaluation-{subsetName}-{parse.GetValue(which)}")
                    : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpointPath))!, $"{Path.GetFileNameWithoutExtension(checkpointPath)}-evaluation-{subsetName}"));
                CheckOutput(checkpointPath);
                var (engine, info, _) = engineOption.Open(parse, checkpointPath, device, notes);
                using var disposeEngine = engine;
                DatasetEvaluation.CheckCompatible(info, dataset, checkpointPath);
                var prediction = window.Read(parse, info.WindowSize, EngineOptions.TorchModelOf(engine), info.Model, engine.Device);
                report = progress.Run(ctx => DatasetEvaluation.EvaluateModel(dataset, items, engine, prediction, options,
                    ctx.AddTask($"evaluate {info.Model} on {items.Count} {subsetName} images", items.Count)));
                title = $"{info.Model} (epoch {info.Epoch}) on {subsetName}";
            }

            OutputFolder.Claim(outputFolder, OutputKind.Evaluation, Command, parse.GetValue(force), [dataset.Root]);
            MetricsWriter.WriteAll(report, outputFolder, title);
            if (asJson) log.WriteLine(MetricsWriter.ToJson(report));
            else
            {
                log.WriteLine(MetricsWriter.ToMarkdown(report, title));
                log.WriteLine($"written: {Path.Combine(outputFolder, "metrics.json")}, metrics.md, per_image.csv");
            }
            return 0;
        });
        return command;
    }
}
