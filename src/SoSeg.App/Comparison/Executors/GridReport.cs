using System.Text;
using SoSeg.App.Comparison.Grid;
using SoSeg.IO;
using SoSeg.Monitoring;
using SoSeg.App.Terminal;
using static TorchSharp.torch;

namespace SoSeg.App.Comparison.Executors;

/// <summary>
/// Trains a grid in this process (the local executor), or builds its reports from the finished cells
/// (after the Slurm executor, or `soseg compare --collect`). With several datasets each gets its own tables in
/// its own folder, and REPORT/comparison.md (and .html) gathers them.
/// </summary>
public static class GridReport
{
    /// <summary>The local executor: every cell in turn, in this process.</summary>
    public static IReadOnlyList<ComparisonResult> RunLocally(ComparisonGrid grid, Device device, Progress progress, TextWriter log, CancellationToken cancel, bool force = false) =>
        Gather(grid, grid.Datasets.Select(d =>
        {
            if (grid.Datasets.Count > 1) log.WriteLine($"=== dataset {d.Name}");
            return new ModelComparison(d.Options, device, progress, log).Run(d.Report, cancel, force);
        }).ToList());

    /// <summary>The reports from whatever cells have finished (evaluating any that are not yet); missing cells are named in them.</summary>
    public static IReadOnlyList<ComparisonResult> Collect(ComparisonGrid grid, Device device, Progress progress, TextWriter log) =>
        Gather(grid, grid.Datasets.Select(d => new ModelComparison(d.Options, device, progress, log).Collect(d.Report)).ToList());

    static IReadOnlyList<ComparisonResult> Gather(ComparisonGrid grid, IReadOnlyList<ComparisonResult> results)
    {
        if (grid.Datasets.Count < 2) return results;
        var markdown = new StringBuilder($"# Comparison on {grid.Datasets.Count} datasets\n\n");
        var html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>SoSeg comparison</title></head><body>");
        html.Append($"<h1>Comparison on {grid.Datasets.Count} datasets</h1><ul>");
        for (int i = 0; i < results.Count; i++)
        {
            string name = grid.Datasets[i].Name;
            // Each dataset's markdown links its figure relative to its own folder.
            markdown.Append(results[i].Markdown.Replace("](figure.png)", $"]({name}/figure.png)").Replace("\n# ", "\n## ").TrimStart('#', ' ').Insert(0, "## ")).Append('\n');
            html.Append($"<li><a href=\"{Uri.EscapeDataString(name)}/comparison.html\">{System.Net.WebUtility.HtmlEncode(name)}</a></li>");
        }
        html.Append("</ul></body></html>\n");
        AtomicFile.WriteAllText(Path.Combine(grid.Report, "comparison.md"), markdown.ToString());
        AtomicFile.WriteAllText(Path.Combine(grid.Report, "comparison.html"), html.ToString());
        return results;
    }
}
