using System.Text;
using System.Text.Json;
using SkiaSharp;
using SoSeg.Data;
using SoSeg.Data.Datasets;
using SoSeg.Data.Verification;
using SoSeg.Evaluation;
using SoSeg.Inference;
using SoSeg.IO;
using SoSeg.Metrics;
using SoSeg.Visualization;
using SoSeg.App.Reports;
using SoSeg.Monitoring;
using SoSeg.App.Terminal;
using SoSeg.Training;
using static TorchSharp.torch;
using SoSeg.Checkpoints;
using SoSeg.App.Training;
using SoSeg.Models.Catalog;

namespace SoSeg.App.Comparison;

/// <summary>One model x seed of a comparison: its run folder and test metrics.</summary>
public sealed record ComparisonRun(string Model, long Seed, RunFolder Run, EvaluationReport Report, double TrainingSeconds, long Parameters);

/// <summary>What `soseg compare` produced.</summary>
/// <param name="Missing">Cells left out because their training has not finished (only when collecting).</param>
public sealed record ComparisonResult(string ReportFolder, string Markdown, string Html, string? Figure, IReadOnlyList<ComparisonRun> Runs, IReadOnlyList<string> Missing);

/// <summary>
/// `soseg compare`: trains every model x seed with one recipe (reusing finished runs and resuming
/// interrupted ones), evaluates each best checkpoint on the test images, and writes tables laid out like
/// the paper's Tables II/III (mean ± std over seeds, best per column highlighted) as markdown and a
/// self-contained HTML page, plus a Fig. 3-style picture of ground truth and every model's prediction.
/// <code>
/// REPORT/runs/MODEL/seedN/      a training run each (evaluation-test-best/ inside)
/// REPORT/comparison.md, comparison.html, comparison.json, figure.png
/// </code>
/// </summary>
public sealed class ModelComparison(ComparisonOptions options, Device device, Progress progress, TextWriter log)
{
    bool _force;

    const string Command = "soseg compare";

    /// <summary>
    /// Trains, evaluates and reports into <paramref name="reportFolder"/>: a new or empty folder, or a report folder of an
    /// earlier comparison (its finished runs are reused); another folder only with <paramref name="force"/>. Holds the
    /// folder's writer lock throughout, so a second comparison into it is refused.
    /// </summary>
    public ComparisonResult Run(string reportFolder, CancellationToken cancel = default, bool force = false)
    {
        OutputFolder.Check(reportFolder, OutputKind.Report, Command, force, [options.Data]);
        CheckBeforeWork();
        reportFolder = OutputFolder.Claim(reportFolder, OutputKind.Report, Command, force, [options.Data]);
        using var writer = FolderLock.Acquire(reportFolder, Command);
        _force = force;
        return Build(reportFolder, train: true, cancel);
    }

    /// <summary>
    /// Everything that can refuse the comparison, run before any folder is made: the options, the dataset's
    /// verification (every file decoded once, then cached) and, unless the cells run on other machines
    /// (<paramref name="checkMemory"/> off), the memory each model's crop, batch and window need on this one.
    /// </summary>
    public void CheckBeforeWork(bool checkMemory = true)
    {
        options.Validate();
        options.Prediction.Validate();
        var dataset = SegmentationDataset.Open(options.Data, options.Dataset);
        DatasetVerifier.EnsureValid(dataset, progress);
        if (!checkMemory) return;
        foreach (var model in options.Models)
            options.RecipeFor(model, options.FirstSeed).EnsureMemoryFits(dataset.Channels, dataset.NumClasses, options.Prediction.WindowSize, "--window", device);
    }

    /// <summary>
    /// The report from the cells whose training has finished (evaluating any not evaluated yet), naming the
    /// others; trains nothing. For grids whose cells ran elsewhere (one Slurm task each). The caller holds the
    /// report folder's writer lock.
    /// </summary>
    public ComparisonResult Collect(string reportFolder) => Build(Path.GetFullPath(reportFolder), train: false, CancellationToken.None);

    /// <summary>Trains (or resumes, or reuses) and evaluates one model x seed into the folder <see cref="Run"/> uses for it.</summary>
    public ComparisonRun RunCell(string reportFolder, string model, long seed, CancellationToken cancel = default)
    {
        var dataset = SegmentationDataset.Open(options.Data, options.Dataset);
        return TrainAndEvaluate(model, seed, Path.GetFullPath(reportFolder), dataset, DatasetEvaluation.SelectItems(dataset, options.Subset), cancel);
    }

    /// <summary>The run folder of one model x seed in a report folder.</summary>
    public static RunFolder CellRun(string reportFolder, string model, long seed) => new(Path.Combine(reportFolder, "runs", model, $"seed{seed}"));

    /// <summary>True when the cell's training has run all its <paramref name="epochs"/> and its test evaluation is written.</summary>
    public static bool IsFinished(string reportFolder, string model, long seed, int epochs)
    {
        var run = CellRun(reportFolder, model, seed);
        return TrainingDone(run, epochs) && File.Exists(Path.Combine(EvaluationFolder(run), "metrics.json"));
    }

    ComparisonResult Build(string reportFolder, bool train, CancellationToken cancel)
    {
        var dataset = SegmentationDataset.Open(options.Data, options.Dataset);
        var testItems = DatasetEvaluation.SelectItems(dataset, options.Subset);
        var runs = new List<ComparisonRun>();
        var missing = new List<string>();
        foreach (var model in options.Models)
            for (int k = 0; k < options.Seeds; k++)
            {
                if (cancel.IsCancellationRequested) throw new OperationCanceledException("comparison interrupted; run the same command again to continue.");
                long seed = options.FirstSeed + k;
                if (!train && !TrainingDone(CellRun(reportFolder, model, seed), options.Training.Epochs)) missing.Add($"{model} seed {seed}");
                else runs.Add(TrainAndEvaluate(model, seed, reportFolder, dataset, testItems, cancel));
            }

        string? figure = options.FigureImages > 0 && runs.Count > 0 ? WriteFigure(reportFolder, dataset, testItems, runs) : null;
        var tables = BuildTables(runs);
        var missed = MissedUltraSmall(runs);
        string markdown = Markdown(dataset, tables, runs, figure) + missed.ToMarkdown() + MissingNote(missing);
        string html = Html(dataset, tables, runs, figure).Replace("</body></html>", missed.ToHtml() + "</body></html>");
        if (missing.Count > 0)
            html = html.Replace("</body></html>", $"<p class=\"note\"><b>Missing cells</b> (training not finished; left out of the means): {System.Net.WebUtility.HtmlEncode(string.Join(", ", missing))}.</p></body></html>");
        AtomicFile.WriteAllText(Path.Combine(reportFolder, "comparison.md"), markdown);
        AtomicFile.WriteAllText(Path.Combine(reportFolder, "comparison.html"), html);
        AtomicFile.WriteAllText(Path.Combine(reportFolder, "comparison.json"), JsonSerializer.Serialize(
            runs.Select(r => new { r.Model, r.Seed, run = r.Run.Folder, r.TrainingSeconds, r.Parameters, metrics = Path.Combine(EvaluationFolder(r.Run), "metrics.json") }),
            new JsonSerializerOptions { WriteIndented = true }));
        return new ComparisonResult(reportFolder, markdown, html, figure, runs, missing);
    }

    /// <summary>Per model (first seed), the ultra-small test objects it missed.</summary>
    MissedSmallObjects MissedUltraSmall(IReadOnlyList<ComparisonRun> runs)
    {
        var missed = new MissedSmallObjects();
        foreach (var run in options.Models.Select(m => runs.FirstOrDefault(r => r.Model == m)).OfType<ComparisonRun>())
            missed.Add(run.Model, Path.Combine(EvaluationFolder(run.Run), "per_image.csv"));
        return missed;
    }

    static bool TrainingDone(RunFolder run, int epochs) => run.HasRun && File.Exists(run.LastCheckpoint) && Checkpoint.ReadInfo(run.LastCheckpoint).Epoch >= epochs;

    static string MissingNote(IReadOnlyList<string> missing) =>
        missing.Count == 0 ? "" : $"\n**Missing cells** (training not finished; left out of the means): {string.Join(", ", missing)}.\n";

    static string EvaluationFolder(RunFolder run) => Path.Combine(run.Folder, "evaluation-test-best");

    ComparisonRun TrainAndEvaluate(string model, long seed, string reportFolder, SegmentationDataset dataset, IReadOnlyList<DatasetItem> testItems, CancellationToken cancel)
    {
        var run = CellRun(reportFolder, model, seed);
        var config = new TrainConfig
        {
            Data = Path.GetFullPath(options.Data),
            Dataset = options.Dataset,
            Training = options.RecipeFor(model, seed),
        };
        if (!run.HasRun)
        {
            log.WriteLine($"== {model} seed {seed}: training");
            var result = TrainingSession.Start(config, run, device, progress, log, cancel, _force, Command);
            if (result.Interrupted) throw new OperationCanceledException("comparison interrupted; run the same command again to continue.");
        }
        else
        {
            if (!SameRecipe(TrainConfig.Read(run.Config).Training, config.Training))
                throw new SoSegException($"{run.Folder} was trained with other options; remove it or use another report folder.");
            int done = File.Exists(run.LastCheckpoint) ? Checkpoint.ReadInfo(run.LastCheckpoint).Epoch : 0;
            if (done < config.Training.Epochs)
            {
                log.WriteLine($"== {model} seed {seed}: resuming after epoch {done}");
                var result = TrainingSession.Resume(run, device, progress, log, cancel, Command);
                if (result.Interrupted) throw new OperationCanceledException("comparison interrupted; run the same command again to continue.");
            }
            else log.WriteLine($"== {model} seed {seed}: finished run reused");
        }
        double seconds = EpochRecord.ReadCsv(run.MetricsCsv).Sum(r => r.Seconds);

        string evaluationFolder = EvaluationFolder(run);
        string metricsPath = Path.Combine(evaluationFolder, "metrics.json");
        string checkpoint = run.ChooseCheckpoint();
        EvaluationReport report;
        long parameters;
        if (File.Exists(metricsPath) && File.GetLastWriteTimeUtc(metricsPath) >= File.GetLastWriteTimeUtc(checkpoint))
        {
            report = MetricsWriter.ReadJson(metricsPath);
            parameters = ParameterCount(model, dataset, config);
        }
        else
        {
            OutputFolder.Check(evaluationFolder, OutputKind.Evaluation, Command, _force);
            var (network, info) = Checkpoint.LoadModel(checkpoint, device);
            if (info.Unverified) log.WriteLine(CheckpointInfo.UnverifiedNote(checkpoint));
            network.Precision = options.Training.Precision;
            parameters = network.ParameterCount();
            report = progress.Run(ctx => DatasetEvaluation.EvaluateModel(dataset, testItems, network, device, options.Prediction, options.Evaluation,
                ctx.AddTask($"evaluate {model} seed {seed} on {testItems.Count} images", testItems.Count)));
            OutputFolder.Claim(evaluationFolder, OutputKind.Evaluation, Command, _force);
            MetricsWriter.WriteAll(report, evaluationFolder, $"{model} seed {seed} (epoch {info.Epoch}) on {options.Subset.ToString().ToLowerInvariant()}");
            network.Dispose();
        }
        var all = report.Stratum(SizeStrata.Names[SizeStrata.All]);
        log.WriteLine($"   {model} seed {seed}: test mDice {MetricFormat.Percent(all.Dataset.Weighted.Dice)}%, foreground Dice per image {MetricFormat.Percent(all.PerImage.Foreground.Dice)}%");
        return new ComparisonRun(model, seed, run, report, seconds, parameters);
    }

    /// <summary>True when two runs follow the same recipe (loader threads aside, which do not change results).</summary>
    static bool SameRecipe(TrainingOptions a, TrainingOptions b)
    {
        static string Key(TrainingOptions o) => JsonSerializer.Serialize(o with
        {
            LoaderThreads = 1,
            ModelOptions = new Dictionary<string, string>(o.ModelOptions.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase)),
        });
        return Key(a) == Key(b);
    }

    static long ParameterCount(string model, SegmentationDataset dataset, TrainConfig config)
    {
        using var network = ModelRegistry.Create(model, dataset.Channels, dataset.NumClasses,
            new SoSeg.Models.ModelOptions(config.Training.ModelOptions));
        return network.ParameterCount();
    }

    /// <summary>Paper layout: five metrics x (ultra-small, small, all); protocol (a) and (b); objects found.</summary>
    List<ComparisonTable> BuildTables(IReadOnlyList<ComparisonRun> runs)
    {
        var strata = SizeStrata.Names;
        string[] subNames = ["ultra small", "small", "all"];
        var authors = new ComparisonTable("Authors' protocol (dataset-level, background included; the paper's Tables II/III)",
            [
                .. strata.Select((_, i) => new MetricColumn("mIoU", subNames[i], true)),
                .. strata.Select((_, i) => new MetricColumn("mDice", subNames[i], true)),
                .. strata.Select((_, i) => new MetricColumn("MAE (×10⁻⁴)", subNames[i], false, Scale: 1e4)),
                .. strata.Select((_, i) => new MetricColumn("Precision", subNames[i], true)),
                .. strata.Select((_, i) => new MetricColumn("F2 Score", subNames[i], true)),
            ]);
        var perImage = new ComparisonTable("Polyp-benchmark protocol (per-image foreground, averaged over images)",
            [
                .. strata.Select((_, i) => new MetricColumn("Dice", subNames[i], true)),
                .. strata.Select((_, i) => new MetricColumn("IoU", subNames[i], true)),
                .. strata.Select((_, i) => new MetricColumn("MAE (×10⁻⁴)", subNames[i], false, Scale: 1e4)),
                .. strata.Select((_, i) => new MetricColumn("Precision", subNames[i], true)),
                .. strata.Select((_, i) => new MetricColumn("F2 Score", subNames[i], true)),
            ]);
        var objects = new ComparisonTable("Objects found (ground-truth objects by their own size; a missed tiny lesion is what matters clinically)",
            [
                .. strata.Select((_, i) => new MetricColumn("Object recall", subNames[i], true)),
                .. strata.Select((_, i) => new MetricColumn("Object precision", subNames[i], true)),
                .. strata.Select((_, i) => new MetricColumn("False-positive objects / image", subNames[i], false, Scale: 1)),
            ]);
        foreach (var model in options.Models)
        {
            var reports = runs.Where(r => r.Model == model).Select(r => r.Report).ToList();
            IReadOnlyList<double> Values(Func<EvaluationReport, double?> pick) => reports.Select(r => pick(r) ?? double.NaN).ToList();
            SubsetReport S(EvaluationReport r, int i) => r.Strata[i];
            DetectionCounts? Bin(EvaluationReport r, int i) => r.Objects.Bins.FirstOrDefault(b => b.Name == strata[i])?.Overall;

            authors.AddRow(model, [
                .. strata.Select((_, i) => Values(r => S(r, i).Dataset.Weighted.IoU)),
                .. strata.Select((_, i) => Values(r => S(r, i).Dataset.Weighted.Dice)),
                .. strata.Select((_, i) => Values(r => S(r, i).Dataset.MaeDividedByImageCount)),
                .. strata.Select((_, i) => Values(r => S(r, i).Dataset.Weighted.Precision)),
                .. strata.Select((_, i) => Values(r => S(r, i).Dataset.Weighted.F2)),
            ]);
            perImage.AddRow(model, [
                .. strata.Select((_, i) => Values(r => S(r, i).PerImage.Foreground.Dice)),
                .. strata.Select((_, i) => Values(r => S(r, i).PerImage.Foreground.IoU)),
                .. strata.Select((_, i) => Values(r => S(r, i).PerImage.Foreground.Mae)),
                .. strata.Select((_, i) => Values(r => S(r, i).PerImage.Foreground.Precision)),
                .. strata.Select((_, i) => Values(r => S(r, i).PerImage.Foreground.F2)),
            ]);
            objects.AddRow(model, [
                .. strata.Select((_, i) => Values(r => Bin(r, i)?.Recall)),
                .. strata.Select((_, i) => Values(r => Bin(r, i)?.Precision)),
                .. strata.Select((_, i) => Values(r => Bin(r, i) is { } b && r.ImageCount > 0 ? (double)b.FalsePositives / r.ImageCount : null)),
            ]);
        }
        return [authors, perImage, objects];
    }

    /// <summary>Fig. 3: for test images with the smallest objects, the image, ground truth and every model's prediction (first seed).</summary>
    string? WriteFigure(string reportFolder, SegmentationDataset dataset, IReadOnlyList<DatasetItem> testItems, IReadOnlyList<ComparisonRun> runs)
    {
        var candidates = new List<(DatasetItem Item, double Foreground)>();
        foreach (var item in testItems)
        {
            var (mask, h, w) = dataset.LoadMask(item);
            if (mask is null) continue;
            int foreground = mask.Count(v => v is > 0 and < 255);
            if (foreground == 0) continue;
            candidates.Add((item, foreground / (double)(h * w)));
        }
        if (candidates.Count == 0) return null;
        // Smallest foreground first, spread over the smaller half of the images so the rows differ.
        var ordered = candidates.OrderBy(c => c.Foreground).ThenBy(c => c.Item.Id, StringComparer.Ordinal).ToList();
        int rows = Math.Min(options.FigureImages, ordered.Count);
        int pool = Math.Max(rows, ordered.Count / 2);
        var chosen = Enumerable.Range(0, rows)
            .Select(i => ordered[rows == 1 ? 0 : (int)Math.Round(i * (pool - 1) / (double)(rows - 1))].Item)
            .ToList();

        var firstRuns = options.Models.Select(m => runs.FirstOrDefault(r => r.Model == m)).OfType<ComparisonRun>().ToList();
        var grid = new FigureGrid(["image", "ground truth", .. firstRuns.Select(r => r.Model)], dataset.Labels.Names);
        var tiles = chosen.Select(_ => new List<SKBitmap>()).ToList();
        var samples = chosen.Select(dataset.Load).ToList();
        var zoomed = new List<SKBitmap>();
        for (int i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            tiles[i].Add(Overlay.Render(s.Image, s.Channels, s.Height, s.Width, ReadOnlySpan<byte>.Empty));
            tiles[i].Add(Overlay.Render(s.Image, s.Channels, s.Height, s.Width, s.Mask));
        }
        foreach (var run in firstRuns)
        {
            string checkpoint = run.Run.ChooseCheckpoint();
            var (network, _) = Checkpoint.LoadModel(checkpoint, device);
            network.Precision = options.Training.Precision;
            var predictor = new SegmentationPredictor(network, device, options.Prediction);
            for (int i = 0; i < samples.Count; i++)
            {
                var s = samples[i];
                tiles[i].Add(Overlay.Render(s.Image, s.Channels, s.Height, s.Width, predictor.Predict(s).ClassMap));
            }
            network.Dispose();
        }
        for (int i = 0; i < samples.Count; i++)
        {
            grid.AddRow(chosen[i].Id, tiles[i]);
            // The smallest object zoomed: the same crop of every column, enlarged to the tile.
            foreach (var region in SmallObjectInsets.Around(samples[i].Mask!, samples[i].Height, samples[i].Width))
            {
                var insets = tiles[i].Select(t => SmallObjectInsets.Crop(t, region)).ToList();
                grid.AddRow($"{chosen[i].Id} (zoom)", insets);
                zoomed.AddRange(insets);
            }
        }
        string path = Path.Combine(reportFolder, "figure.png");
        grid.Save(path);
        foreach (var tile in tiles.SelectMany(t => t).Concat(zoomed)) tile.Dispose();
        return path;
    }

    string Summary(SegmentationDataset dataset, IReadOnlyList<ComparisonRun> runs)
    {
        var t = options.Training;
        return $"Dataset {dataset.Manifest.Name} ({dataset.Root}), {options.Subset.ToString().ToLowerInvariant()} images: {runs.FirstOrDefault()?.Report.ImageCount.ToString() ?? "none evaluated yet"}. " +
               $"Every model trained {t.Epochs} epochs, batch {t.BatchSize}, {t.Augmentation.CropSize} x {t.Augmentation.CropSize} crops, AdamW lr {t.LearningRate:0.##e+00} -> {t.MinLearningRate:0.##e+00}, " +
               $"loss {(t.Loss.ToString() switch { "ce" => "cross-entropy (common protocol)", "model" => "each model's own", var name => name })}, augmentations {(t.Augmentation.ActiveSteps is { Count: > 0 } steps ? string.Join(", ", steps) : "off")}" +
               $"{(t.Augmentation.OversampleForeground > 0 ? $", {t.Augmentation.OversampleForeground:P0} of crops centred on objects" : "")}; " +
               $"{options.Seeds} seed(s) from {options.FirstSeed}, mean ± sample std over seeds; best checkpoint by validation {t.SelectBy}. " +
               $"Strata: images whose largest ground-truth object is below 1% (ultra small) / 10% (small) of the image (docs/metrics.md).";
    }

    string Markdown(SegmentationDataset dataset, IReadOnlyList<ComparisonTable> tables, IReadOnlyList<ComparisonRun> runs, string? figure)
    {
        var text = new StringBuilder();
        text.AppendLine($"# Comparison on {dataset.Manifest.Name}").AppendLine();
        text.AppendLine(Summary(dataset, runs)).AppendLine();
        foreach (var table in tables) text.AppendLine(table.ToMarkdown());
        text.AppendLine(RunsTable(runs));
        if (figure is not null) text.AppendLine($"![Ground truth and predictions]({Path.GetFileName(figure)})");
        return text.ToString();
    }

    static string RunsTable(IReadOnlyList<ComparisonRun> runs)
    {
        var text = new StringBuilder("### Runs\n\n| Model | Seed | Parameters | Training time | Run folder |\n|---|---:|---:|---:|---|\n");
        foreach (var r in runs)
            text.AppendLine($"| {r.Model} | {r.Seed} | {r.Parameters:N0} | {Progress.FormatDuration(TimeSpan.FromSeconds(r.TrainingSeconds))} | {r.Run.Folder} |");
        return text.ToString();
    }

    string Html(SegmentationDataset dataset, IReadOnlyList<ComparisonTable> tables, IReadOnlyList<ComparisonRun> runs, string? figure)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>SoSeg comparison</title><style>");
        html.AppendLine("body{font-family:DejaVu Sans,Arial,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:12px 0 28px}" +
                        "th,td{border:1px solid #bbb;padding:4px 8px;text-align:right;font-size:13px}th{background:#f0f0f0;text-align:center}" +
                        "td.model{text-align:left;font-weight:bold}td.best{font-weight:bold;background:#dff5df}img{max-width:100%;border:1px solid #ccc}" +
                        "p.note{max-width:1100px}");
        html.AppendLine("</style></head><body>");
        html.AppendLine($"<h1>Comparison on {System.Net.WebUtility.HtmlEncode(dataset.Manifest.Name)}</h1>");
        html.AppendLine($"<p class=\"note\">{System.Net.WebUtility.HtmlEncode(Summary(dataset, runs))} Best value per column highlighted.</p>");
        foreach (var table in tables) html.AppendLine(table.ToHtml());
        if (figure is not null)
        {
            html.AppendLine("<h3>Ground truth and predictions (first seed; smallest objects first)</h3>");
            html.AppendLine($"<img alt=\"figure\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(figure))}\">");
        }
        html.AppendLine("<h3>Runs</h3><table><tr><th>Model</th><th>Seed</th><th>Parameters</th><th>Training time</th><th>Run folder</th></tr>");
        foreach (var r in runs)
            html.AppendLine($"<tr><td class=\"model\">{r.Model}</td><td>{r.Seed}</td><td>{r.Parameters:N0}</td><td>{Progress.FormatDuration(TimeSpan.FromSeconds(r.TrainingSeconds))}</td><td style=\"text-align:left\">{System.Net.WebUtility.HtmlEncode(r.Run.Folder)}</td></tr>");
        html.AppendLine("</table></body></html>");
        return html.ToString();
    }
}
