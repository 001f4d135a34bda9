using SkiaSharp;
using SoSeg.Visualization;
using SoSeg.App.Reports;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Reports;

public class ReportTests
{
    [Fact]
    public void Tables_show_mean_and_std_over_seeds_and_highlight_the_best_per_column()
    {
        var table = new ComparisonTable("Table", [
            new MetricColumn("mDice", "all", HigherIsBetter: true),
            new MetricColumn("MAE", "all", HigherIsBetter: false, Scale: 1e4),
        ]);
        table.AddRow("a", [[0.80, 0.90], [0.0002, 0.0004]]);   // mean 85.00 ± 7.07, MAE 3.00 ± 1.41
        table.AddRow("b", [[0.70], [0.0001]]);
        table.AddRow("c", [[double.NaN], [double.NaN]]);
        Assert.Equal([0, 1], table.BestRows());
        string markdown = table.ToMarkdown();
        Assert.Contains("| a | **85.00 ± 7.07** | 3.00 ± 1.41 |", markdown);
        Assert.Contains("| b | 70.00 | **1.00** |", markdown);
        Assert.Contains("| c | – | – |", markdown);
        string html = table.ToHtml();
        Assert.Contains("<td class=\"best\">85.00 &#177; 7.07</td>", html);
        Assert.Contains("<th colspan=\"1\">mDice</th>", html);
    }

    [Fact]
    public void Overlays_outline_even_a_single_pixel_object_and_leave_the_background_untouched()
    {
        var image = Enumerable.Repeat(0.5f, 5 * 5).ToArray();
        var map = new byte[25];
        map[12] = 2;
        using var bitmap = Overlay.Render(image, 1, 5, 5, map);
        var (r, g, b) = ClassPalette.Of(2);
        Assert.Equal(new SKColor(r, g, b), bitmap.GetPixel(2, 2));
        Assert.Equal(new SKColor(128, 128, 128), bitmap.GetPixel(0, 0));
    }

    [Fact]
    public void The_figure_grid_has_one_tile_per_model_and_row()
    {
        using var folder = new TempFolder();
        var grid = new FigureGrid(["image", "ground truth", "model"], ["background", "spot"], tileSize: 32);
        using var tile = Overlay.Render(new float[16 * 16], 1, 16, 16, new byte[256]);
        grid.AddRow("case 1", [tile, tile, tile]);
        grid.AddRow("case 2", [tile, tile, tile]);
        Assert.Throws<ArgumentException>(() => grid.AddRow("bad", [tile]));
        string path = folder.File("grid.png");
        grid.Save(path);
        using var saved = SKBitmap.Decode(path);
        Assert.True(saved.Width > 3 * 32 && saved.Height > 2 * 32);
    }
}
