using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SoSeg.IO;

namespace SoSeg.Metrics;

/// <summary>
/// Writes an <see cref="EvaluationReport"/> as metrics.json, a markdown summary laid out like the paper's
/// Tables II/III, and a per-image CSV. Every file is written atomically.
/// </summary>
public static class MetricsWriter
{
    /// <summary>camelCase, indented; undefined values are written as null.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string ToJson(EvaluationReport report) => JsonSerializer.Serialize(report, JsonOptions);

    /// <summary>Reads metrics.json back (without the per-image rows, which live in the CSV).</summary>
    public static EvaluationReport ReadJson(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<EvaluationReport>(File.ReadAllText(path), JsonOptions)
                   ?? throw new SoSegException($"{path}: empty metrics file.");
        }
        catch (JsonException e) { throw new SoSegException($"{path}: not a SoSeg metrics file ({e.Message}).", e); }
    }

    public static void WriteJson(EvaluationReport report, string path) => AtomicFile.WriteAllText(path, ToJson(report));

    public static void WriteMarkdown(EvaluationReport report, string path, string? title = null) =>
        AtomicFile.WriteAllText(path, ToMarkdown(report, title));

    public static void WritePerImageCsv(EvaluationReport report, string path) => AtomicFile.WriteAllText(path, ToPerImageCsv(report));

    /// <summary>Writes metrics.json, metrics.md and per_image.csv into a folder.</summary>
    public static void WriteAll(EvaluationReport report, string folder, string? title = null)
    {
        WriteJson(report, Path.Combine(folder, "metrics.json"));
        WriteMarkdown(report, Path.Combine(folder, "metrics.md"), title);
        WritePerImageCsv(report, Path.Combine(folder, "per_image.csv"));
    }

    /// <summary>
    /// One table row in the paper's Table II layout: mIoU, mDice, MAE (×10⁻⁴), Precision, F2, each for
    /// ultra-small, small, all (authors' protocol; MAE as the authors scale it, see docs/metrics.md).
    /// </summary>
    public static string PaperRow(EvaluationReport report, string method)
    {
        var cells = new List<string> { method };
        foreach (var pick in PaperColumns)
            foreach (var stratum in report.Strata) cells.Add(pick.Format(stratum));
        return "| " + string.Join(" | ", cells) + " |";
    }

    /// <summary>Header (two lines) matching <see cref="PaperRow"/>.</summary>
    public static string PaperHeader(EvaluationReport report)
    {
        var names = new List<string> { "Method" };
        foreach (var pick in PaperColumns)
            foreach (var stratum in report.Strata) names.Add($"{pick.Name} {stratum.Name}");
        return "| " + string.Join(" | ", names) + " |\n|" + string.Concat(names.Select((_, i) => i == 0 ? "---|" : "---:|"));
    }

    private static readonly (string Name, Func<SubsetReport, string> Format)[] PaperColumns =
    [
        ("mIoU", s => MetricFormat.Percent(s.Dataset.Weighted.IoU)),
        ("mDice", s => MetricFormat.Percent(s.Dataset.Weighted.Dice)),
        ("MAE (×10⁻⁴)", s => MetricFormat.TenThousandths(s.Dataset.MaeDividedByImageCount)),
        ("Precision", s => MetricFormat.Percent(s.Dataset.Weighted.Precision)),
        ("F2", s => MetricFormat.Percent(s.Dataset.Weighted.F2)),
    ];

    /// <summary>The markdown summary: both protocols by stratum, per-class figures, detection by size, groups.</summary>
    public static string ToMarkdown(EvaluationReport report, string? title = null)
    {
        var md = new StringBuilder();
        var strata = report.Strata;
        var options = report.Options;
        md.AppendLine($"# {title ?? "Segmentation metrics"}").AppendLine();
        md.AppendLine($"Images: {report.ImageCount} ({string.Join(", ", strata.Select(s => $"{s.Name} {s.ImageCount}"))}); classes: {string.Join(", ", report.ClassNames)}; continuous map: {report.ContinuousMapSource}.");
        md.AppendLine($"An image is in \"ultra-small\" / \"small\" when its largest ground-truth object covers less than {MetricFormat.AreaPercent(options.UltraSmallAreaRatio)} / {MetricFormat.AreaPercent(options.SmallAreaRatio)} of the image; images without objects: {(options.EmptyImages == EmptyImageStrata.AllStrata ? "in every stratum" : "only in \"all\"")}. Definitions: docs/metrics.md.").AppendLine();

        md.AppendLine("## Paper layout (authors' protocol, Table II columns)").AppendLine();
        md.AppendLine(PaperHeader(report)).AppendLine(PaperRow(report, title ?? "model")).AppendLine();

        md.AppendLine("## Authors' protocol: dataset-level sums, classes weighted by the images containing them").AppendLine();
        AppendStrataTable(md, strata,
        [
            ("Images", s => s.ImageCount.ToString(CultureInfo.InvariantCulture)),
            ("mIoU (%)", s => MetricFormat.Percent(s.Dataset.Weighted.IoU)),
            ("mDice (%)", s => MetricFormat.Percent(s.Dataset.Weighted.Dice)),
            ("MAE (×10⁻⁴)", s => MetricFormat.TenThousandths(s.Dataset.Mae)),
            ("MAE ÷ images (×10⁻⁴, authors' scale)", s => MetricFormat.TenThousandths(s.Dataset.MaeDividedByImageCount)),
            ("Precision (%)", s => MetricFormat.Percent(s.Dataset.Weighted.Precision)),
            ("Recall (%)", s => MetricFormat.Percent(s.Dataset.Weighted.Recall)),
            ("F2 (%)", s => MetricFormat.Percent(s.Dataset.Weighted.F2)),
            ("Foreground IoU (%)", s => MetricFormat.Percent(s.Dataset.Foreground.IoU)),
            ("Foreground Dice (%)", s => MetricFormat.Percent(s.Dataset.Foreground.Dice)),
        ]);

        var all = strata[^1];
        md.AppendLine($"### Per class ({all.Name})").AppendLine();
        md.AppendLine("| Class | Images containing | IoU (%) | Dice (%) | Precision (%) | Recall (%) | F2 (%) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var c in all.Dataset.Classes)
            md.AppendLine($"| {c.Name} | {c.ImagesContaining} | {MetricFormat.Percent(c.IoU)} | {MetricFormat.Percent(c.Dice)} | {MetricFormat.Percent(c.Precision)} | {MetricFormat.Percent(c.Recall)} | {MetricFormat.Percent(c.F2)} |");
        md.AppendLine();

        md.AppendLine("## Polyp-benchmark protocol: per-image foreground scores, mean over images").AppendLine();
        AppendPerImageTable(md, strata, s => s.PerImage.Foreground, report.ContinuousMapSource == "probabilities");
        if (report.ClassNames.Count > 2)
            for (int c = 1; c < report.ClassNames.Count; c++)
            {
                int index = c;
                md.AppendLine($"### Class {report.ClassNames[c]}").AppendLine();
                AppendPerImageTable(md, strata, s => s.PerImage.Classes.First(x => x.Index == index).Means, report.ContinuousMapSource == "probabilities");
            }

        var objects = report.Objects;
        string matching = objects.MinIoU > 0 ? $"IoU ≥ {objects.MinIoU.ToString("0.###", CultureInfo.InvariantCulture)}" : "any overlapping pixel";
        md.AppendLine($"## Objects by size (8-connected components; found = {matching})").AppendLine();
        md.AppendLine($"Ground-truth object area ratio: {MetricFormat.AreaPercent(objects.ObjectAreaRatioMin)} ~ {MetricFormat.AreaPercent(objects.ObjectAreaRatioMax)}.").AppendLine();
        md.AppendLine("| Objects | Size | GT objects | Found | Missed | Recall (%) | Predicted | False positives | Precision (%) |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var bin in objects.Bins) AppendDetectionRow(md, "all classes", bin.Name, bin.Overall);
        if (report.ClassNames.Count > 2)
            foreach (var bin in objects.Bins)
                foreach (var c in bin.Classes) AppendDetectionRow(md, c.Name, bin.Name, c.Counts);
        md.AppendLine();

        if (report.Groups.Count > 0)
        {
            md.AppendLine("## Groups (all sizes)").AppendLine();
            md.AppendLine("| Group | Images | mIoU (%) | mDice (%) | MAE (×10⁻⁴) | Precision (%) | F2 (%) | Per-image Dice (%) |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var g in report.Groups)
                md.AppendLine($"| {g.Name} | {g.ImageCount} | {MetricFormat.Percent(g.Dataset.Weighted.IoU)} | {MetricFormat.Percent(g.Dataset.Weighted.Dice)} | {MetricFormat.TenThousandths(g.Dataset.Mae)} | {MetricFormat.Percent(g.Dataset.Weighted.Precision)} | {MetricFormat.Percent(g.Dataset.Weighted.F2)} | {MetricFormat.Percent(g.PerImage.Foreground.Dice)} |");
            md.AppendLine();
        }
        return md.ToString();
    }

    private static void AppendStrataTable(StringBuilder md, IReadOnlyList<SubsetReport> strata, (string Name, Func<SubsetReport, string> Cell)[] rows)
    {
        md.AppendLine("| Metric | " + string.Join(" | ", strata.Select(s => s.Name)) + " |");
        md.AppendLine("|---|" + string.Concat(strata.Select(_ => "---:|")));
        foreach (var (name, cell) in rows)
            md.AppendLine($"| {name} | " + string.Join(" | ", strata.Select(cell)) + " |");
        md.AppendLine();
    }

    private static void AppendPerImageTable(StringBuilder md, IReadOnlyList<SubsetReport> strata, Func<SubsetReport, PerImageMeans> means, bool withCurves)
    {
        var rows = new List<(string, Func<SubsetReport, string>)>
        {
            ("Images scored", s => $"{means(s).ScoredImages} / {s.ImageCount}"),
            ("mDice (%)", s => MetricFormat.Percent(means(s).Dice)),
            ("mIoU (%)", s => MetricFormat.Percent(means(s).IoU)),
            ("Precision (%)", s => MetricFormat.Percent(means(s).Precision)),
            ("Recall (%)", s => MetricFormat.Percent(means(s).Recall)),
            ("F2 (%)", s => MetricFormat.Percent(means(s).F2)),
            ("MAE (×10⁻⁴)", s => MetricFormat.TenThousandths(means(s).Mae)),
        };
        if (withCurves)
        {
            rows.Add(("mean Dice, 256 thresholds (%)", s => MetricFormat.Percent(means(s).MeanDiceOverThresholds)));
            rows.Add(("mean IoU, 256 thresholds (%)", s => MetricFormat.Percent(means(s).MeanIoUOverThresholds)));
            rows.Add(("max Dice, 256 thresholds (%)", s => MetricFormat.Percent(means(s).MaxDiceOverThresholds)));
        }
        AppendStrataTable(md, strata, rows.ToArray());
    }

    private static void AppendDetectionRow(StringBuilder md, string objects, string size, DetectionCounts c) =>
        md.AppendLine($"| {objects} | {size} | {c.GroundTruthObjects} | {c.Found} | {c.Missed} | {MetricFormat.Percent(c.Recall)} | {c.PredictedObjects} | {c.FalsePositives} | {MetricFormat.Percent(c.Precision)} |");

    /// <summary>
    /// One row per image: id, group, size, stratum, foreground scores (fractions, empty when undefined), per-class
    /// scores when K > 2, and object counts.
    /// </summary>
    public static string ToPerImageCsv(EvaluationReport report)
    {
        var csv = new StringBuilder();
        bool withCurves = report.ContinuousMapSource == "probabilities";
        var header = new List<string> { "id", "group", "height", "width", "ignored_pixels", "largest_object_ratio", "stratum" };
        header.AddRange(ScoreColumns("", withCurves));
        header.Add("class_index_mae");
        var classColumns = report.ClassNames.Count > 2 ? report.ClassNames.Skip(1).Select(ColumnName).ToList() : [];
        foreach (var name in classColumns) header.AddRange(ScoreColumns(name + "_", withCurves));
        header.AddRange(["gt_objects", "gt_ultra_small", "gt_small", "found", "found_ultra_small", "found_small", "missed", "predicted_objects", "false_positives"]);
        csv.AppendLine(string.Join(",", header));

        var cells = new List<string>(header.Count);
        foreach (var image in report.Images)
        {
            cells.Clear();
            cells.AddRange([Escape(image.Id), Escape(image.Group ?? ""), Int(image.Height), Int(image.Width), Int(image.IgnoredPixels),
                MetricFormat.Raw(image.LargestObjectAreaRatio), image.Stratum]);
            AddScores(cells, image.Foreground, withCurves);
            cells.Add(MetricFormat.Raw(image.ClassIndexMae));
            foreach (var c in image.Classes) AddScores(cells, c.Scores, withCurves);
            var o = image.Objects;
            cells.AddRange([Int(o.GroundTruthObjects), Int(o.UltraSmallObjects), Int(o.SmallObjects), Int(o.Found), Int(o.FoundUltraSmall),
                Int(o.FoundSmall), Int(o.Missed), Int(o.PredictedObjects), Int(o.FalsePositives)]);
            csv.AppendLine(string.Join(",", cells));
        }
        return csv.ToString();
    }

    private static IEnumerable<string> ScoreColumns(string prefix, bool withCurves)
    {
        foreach (var name in new[] { "dice", "iou", "precision", "recall", "f2", "mae" }) yield return prefix + name;
        if (withCurves) yield return prefix + "mean_dice_256";
    }

    private static void AddScores(List<string> cells, ImageScores s, bool withCurves)
    {
        cells.AddRange([MetricFormat.Raw(s.Dice), MetricFormat.Raw(s.IoU), MetricFormat.Raw(s.Precision), MetricFormat.Raw(s.Recall),
            MetricFormat.Raw(s.F2), MetricFormat.Raw(s.Mae)]);
        if (withCurves) cells.Add(MetricFormat.Raw(s.MeanDiceOverThresholds));
    }

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A class name as a CSV column prefix: lower case, other than ASCII letters and digits replaced by "_" ("Liver 2" -> "liver_2").</summary>
    private static string ColumnName(string className)
    {
        var name = new StringBuilder();
        foreach (char ch in className.ToLowerInvariant())
            name.Append(char.IsAsciiLetterOrDigit(ch) ? ch : '_');
        return name.ToString();
    }

    private static string Escape(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
