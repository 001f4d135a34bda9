using System.Globalization;
using System.Text;
using SoSeg.IO;

namespace SoSeg.Checkpoints;

/// <summary>One row of metrics.csv: what an epoch did and, when it validated, the validation metrics.</summary>
public sealed record EpochRecord
{
    public required int Epoch { get; init; }
    public required long Steps { get; init; }
    public required double TrainLoss { get; init; }
    public required double LearningRate { get; init; }
    public required double Seconds { get; init; }
    public required double ImagesPerSecond { get; init; }
    public required double RssMegabytes { get; init; }
    /// <summary>Validation metrics by name (empty when the epoch did not validate).</summary>
    public IReadOnlyDictionary<string, double> Validation { get; init; } = new Dictionary<string, double>();

    static readonly string[] FixedColumns = ["epoch", "steps", "train_loss", "lr", "seconds", "images_per_s", "rss_mb"];

    /// <summary>Writes all records as CSV (columns: fixed ones, then every validation metric seen), atomically.</summary>
    public static void WriteCsv(string path, IReadOnlyList<EpochRecord> records)
    {
        var metricColumns = records.SelectMany(r => r.Validation.Keys).Distinct().ToList();
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", FixedColumns.Concat(metricColumns.Select(m => "val_" + m))));
        foreach (var r in records)
        {
            var cells = new List<string>
            {
                r.Epoch.ToString(CultureInfo.InvariantCulture), r.Steps.ToString(CultureInfo.InvariantCulture),
                Format(r.TrainLoss), Format(r.LearningRate), Format(r.Seconds), Format(r.ImagesPerSecond), Format(r.RssMegabytes),
            };
            cells.AddRange(metricColumns.Select(m => r.Validation.TryGetValue(m, out var v) ? Format(v) : ""));
            text.AppendLine(string.Join(",", cells));
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>Reads metrics.csv back (for --resume).</summary>
    public static List<EpochRecord> ReadCsv(string path)
    {
        var records = new List<EpochRecord>();
        if (!File.Exists(path)) return records;
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) return records;
        var header = lines[0].Split(',');
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            double Cell(string name) => double.Parse(cells[Array.IndexOf(header, name)], CultureInfo.InvariantCulture);
            var validation = new Dictionary<string, double>();
            for (int i = FixedColumns.Length; i < header.Length && i < cells.Length; i++)
                if (cells[i].Length > 0) validation[header[i]["val_".Length..]] = double.Parse(cells[i], CultureInfo.InvariantCulture);
            records.Add(new EpochRecord
            {
                Epoch = (int)Cell("epoch"), Steps = (long)Cell("steps"), TrainLoss = Cell("train_loss"), LearningRate = Cell("lr"),
                Seconds = Cell("seconds"), ImagesPerSecond = Cell("images_per_s"), RssMegabytes = Cell("rss_mb"), Validation = validation,
            });
        }
        return records;
    }

    static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
