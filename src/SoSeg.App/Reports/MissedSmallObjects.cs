using System.Globalization;
using System.Net;
using System.Text;

namespace SoSeg.App.Reports;

/// <summary>
/// Which ultra-small objects each model missed, image by image, from the per-image CSVs of the models'
/// evaluations (columns gt_ultra_small and found_ultra_small).
/// </summary>
public sealed class MissedSmallObjects
{
    /// <summary>Per image with ultra-small objects: their count and, per model, how many it missed.</summary>
    readonly SortedDictionary<string, (long Objects, Dictionary<string, long> Missed)> _images = new(StringComparer.Ordinal);
    readonly List<string> _models = [];

    /// <summary>Adds one model's per_image.csv (missing file: the model is listed without counts).</summary>
    public void Add(string model, string perImageCsv)
    {
        _models.Add(model);
        if (!File.Exists(perImageCsv)) return;
        var lines = File.ReadAllLines(perImageCsv);
        if (lines.Length == 0) return;
        var header = lines[0].Split(',');
        int id = Array.IndexOf(header, "id"), objects = Array.IndexOf(header, "gt_ultra_small"), found = Array.IndexOf(header, "found_ultra_small");
        if (id < 0 || objects < 0 || found < 0) return;
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            if (cells.Length != header.Length) continue;
            long total = long.Parse(cells[objects], CultureInfo.InvariantCulture);
            if (total == 0) continue;
            if (!_images.TryGetValue(cells[id], out var entry)) _images[cells[id]] = entry = (total, new Dictionary<string, long>());
            entry.Missed[model] = total - long.Parse(cells[found], CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Images where some model missed an ultra-small object, at most <paramref name="maxRows"/>.</summary>
    IEnumerable<KeyValuePair<string, (long Objects, Dictionary<string, long> Missed)>> Rows(int maxRows) =>
        _images.Where(i => i.Value.Missed.Values.Any(m => m > 0)).Take(maxRows);

    string Summary() =>
        string.Join(", ", _models.Select(m => $"{m} {_images.Values.Sum(i => i.Missed.GetValueOrDefault(m))} of {_images.Values.Where(i => i.Missed.ContainsKey(m)).Sum(i => i.Objects)}"));

    public string ToMarkdown(int maxRows = 40)
    {
        var text = new StringBuilder("### Missed ultra-small objects (first seed)\n\n");
        if (_images.Count == 0) return text.AppendLine("No test image holds an ultra-small object (< 1% of the image).\n").ToString();
        text.AppendLine($"Missed of all ultra-small objects: {Summary()}.\n");
        text.AppendLine($"| Image | Ultra-small objects | {string.Join(" | ", _models)} |");
        text.AppendLine($"|---|---:|{string.Concat(_models.Select(_ => "---:|"))}");
        foreach (var (image, (objects, missed)) in Rows(maxRows))
            text.AppendLine($"| {image} | {objects} | {string.Join(" | ", _models.Select(m => missed.TryGetValue(m, out var k) ? $"{k} missed" : "-"))} |");
        return text.AppendLine().ToString();
    }

    public string ToHtml(int maxRows = 40)
    {
        var html = new StringBuilder("<h3>Missed ultra-small objects (first seed)</h3>");
        if (_images.Count == 0) return html.Append("<p class=\"note\">No test image holds an ultra-small object (&lt; 1% of the image).</p>").ToString();
        html.Append($"<p class=\"note\">Missed of all ultra-small objects: {WebUtility.HtmlEncode(Summary())}.</p>");
        html.Append($"<table><tr><th>Image</th><th>Ultra-small objects</th>{string.Concat(_models.Select(m => $"<th>{WebUtility.HtmlEncode(m)}</th>"))}</tr>");
        foreach (var (image, (objects, missed)) in Rows(maxRows))
            html.Append($"<tr><td class=\"model\">{WebUtility.HtmlEncode(image)}</td><td>{objects}</td>" +
                        string.Concat(_models.Select(m => $"<td>{(missed.TryGetValue(m, out var k) ? $"{k} missed" : "-")}</td>")) + "</tr>");
        return html.Append("</table>").ToString();
    }
}
