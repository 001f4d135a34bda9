using System.Net;
using System.Text;

namespace SoSeg.App.Reports;

/// <summary>A column of a comparison table: metric group (e.g. "mDice"), sub-column (e.g. "ultra small"), direction and display scale.</summary>
public sealed record MetricColumn(string Group, string Sub, bool HigherIsBetter, double Scale = 100, string Format = "0.00");

/// <summary>
/// A table laid out like the paper's Tables II/III: one row per model, metric groups split into
/// size strata, each cell "mean ± std" over seeds, the best mean per column highlighted.
/// </summary>
public sealed class ComparisonTable(string title, IReadOnlyList<MetricColumn> columns)
{
    readonly List<(string Model, IReadOnlyList<IReadOnlyList<double>> Values)> _rows = new();

    public string Title => title;
    public IReadOnlyList<MetricColumn> Columns => columns;

    /// <summary>Adds a model; <paramref name="valuesPerColumn"/>[c] holds one value per seed (NaN = not available).</summary>
    public void AddRow(string model, IReadOnlyList<IReadOnlyList<double>> valuesPerColumn)
    {
        if (valuesPerColumn.Count != columns.Count) throw new ArgumentException($"row {model}: {valuesPerColumn.Count} cells for {columns.Count} columns.");
        _rows.Add((model, valuesPerColumn));
    }

    /// <summary>Mean and sample standard deviation of the finite values (NaN when none).</summary>
    public static (double Mean, double Std, int Count) Summarise(IReadOnlyList<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0) return (double.NaN, double.NaN, 0);
        double mean = finite.Average();
        double std = finite.Count > 1 ? Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / (finite.Count - 1)) : 0;
        return (mean, std, finite.Count);
    }

    /// <summary>Index of the best row per column (-1 when no value).</summary>
    public int[] BestRows()
    {
        var best = new int[columns.Count];
        for (int c = 0; c < columns.Count; c++)
        {
            best[c] = -1;
            double bestValue = double.NaN;
            for (int r = 0; r < _rows.Count; r++)
            {
                double mean = Summarise(_rows[r].Values[c]).Mean;
                if (!double.IsFinite(mean)) continue;
                if (best[c] < 0 || (columns[c].HigherIsBetter ? mean > bestValue : mean < bestValue)) { best[c] = r; bestValue = mean; }
            }
        }
        return best;
    }

    string Cell(int row, int column)
    {
        var (mean, std, count) = Summarise(_rows[row].Values[column]);
        if (count == 0) return "–";
        var col = columns[column];
        string m = (mean * col.Scale).ToString(col.Format);
        return count > 1 ? $"{m} ± {(std * col.Scale).ToString(col.Format)}" : m;
    }

    public string ToMarkdown()
    {
        var best = BestRows();
        var text = new StringBuilder();
        text.AppendLine($"### {title}").AppendLine();
        text.AppendLine("| Method | " + string.Join(" | ", columns.Select(c => string.IsNullOrEmpty(c.Sub) ? c.Group : $"{c.Group} {c.Sub}")) + " |");
        text.AppendLine("|---|" + string.Concat(columns.Select(_ => "---:|")));
        for (int r = 0; r < _rows.Count; r++)
        {
            var cells = columns.Select((_, c) => best[c] == r ? $"**{Cell(r, c)}**" : Cell(r, c));
            text.AppendLine($"| {_rows[r].Model} | {string.Join(" | ", cells)} |");
        }
        return text.ToString();
    }

    public string ToHtml()
    {
        var best = BestRows();
        var html = new StringBuilder();
        html.AppendLine($"<h3>{Encode(title)}</h3>");
        html.AppendLine("<table>");
        var groups = columns.Select(c => c.Group).Distinct().ToList();
        html.Append("<tr><th rowspan=\"2\">Method</th>");
        foreach (var g in groups)
            html.Append($"<th colspan=\"{columns.Count(c => c.Group == g)}\">{Encode(g)}</th>");
        html.AppendLine("</tr>");
        html.Append("<tr>");
        foreach (var c in columns) html.Append($"<th>{Encode(c.Sub)}</th>");
        html.AppendLine("</tr>");
        for (int r = 0; r < _rows.Count; r++)
        {
            html.Append($"<tr><td class=\"model\">{Encode(_rows[r].Model)}</td>");
            for (int c = 0; c < columns.Count; c++)
                html.Append(best[c] == r ? $"<td class=\"best\">{Encode(Cell(r, c))}</td>" : $"<td>{Encode(Cell(r, c))}</td>");
            html.AppendLine("</tr>");
        }
        html.AppendLine("</table>");
        return html.ToString();
    }

    static string Encode(string text) => WebUtility.HtmlEncode(text);
}
