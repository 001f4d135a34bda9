using SoSeg.Visualization;
using SkiaSharp;

namespace SoSeg.App.Reports;

/// <summary>
/// A Fig. 3-style grid: one row per test image, columns "image", "ground truth", then one per model,
/// each a tile with the class map overlaid, titled above; a legend of class colours at the bottom.
/// </summary>
public sealed class FigureGrid(IReadOnlyList<string> columnTitles, IReadOnlyList<string> classNames, int tileSize = 256)
{
    readonly List<(string Label, List<SKBitmap> Tiles)> _rows = new();
    const int Margin = 8, TitleHeight = 28, RowLabelWidth = 150, LegendHeight = 36;

    /// <summary>Adds a row; tiles in column order (they are scaled to the tile size, nearest-neighbour so small objects stay crisp).</summary>
    public void AddRow(string label, IReadOnlyList<SKBitmap> tiles)
    {
        if (tiles.Count != columnTitles.Count) throw new ArgumentException($"row '{label}' has {tiles.Count} tiles for {columnTitles.Count} columns.");
        _rows.Add((label, tiles.ToList()));
    }

    public void Save(string path)
    {
        int width = RowLabelWidth + columnTitles.Count * (tileSize + Margin) + Margin;
        int height = TitleHeight + _rows.Count * (tileSize + Margin) + Margin + LegendHeight;
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.FromFamilyName("DejaVu Sans"), 15);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var sampling = new SKPaint();

        for (int c = 0; c < columnTitles.Count; c++)
        {
            float x = RowLabelWidth + c * (tileSize + Margin) + tileSize / 2f;
            canvas.DrawText(columnTitles[c], x, TitleHeight - 9, SKTextAlign.Center, font, text);
        }
        for (int r = 0; r < _rows.Count; r++)
        {
            float y = TitleHeight + r * (tileSize + Margin);
            canvas.DrawText(Shorten(_rows[r].Label, 18), Margin, y + tileSize / 2f, SKTextAlign.Left, font, text);
            for (int c = 0; c < _rows[r].Tiles.Count; c++)
            {
                var tile = _rows[r].Tiles[c];
                float scale = Math.Min((float)tileSize / tile.Width, (float)tileSize / tile.Height);
                float w = tile.Width * scale, h = tile.Height * scale;
                float x = RowLabelWidth + c * (tileSize + Margin) + (tileSize - w) / 2;
                using var image = SKImage.FromBitmap(tile);
                canvas.DrawImage(image, new SKRect(x, y + (tileSize - h) / 2, x + w, y + (tileSize - h) / 2 + h),
                                 new SKSamplingOptions(SKFilterMode.Nearest), sampling);
            }
        }
        float legendY = height - LegendHeight / 2f + 5;
        float legendX = RowLabelWidth;
        for (int k = 1; k < classNames.Count; k++)
        {
            var (cr, cg, cb) = ClassPalette.Of(k);
            using var swatch = new SKPaint { Color = new SKColor(cr, cg, cb) };
            canvas.DrawRect(legendX, legendY - 12, 14, 14, swatch);
            canvas.DrawText(classNames[k], legendX + 20, legendY, SKTextAlign.Left, font, text);
            legendX += 40 + font.MeasureText(classNames[k]);
        }
        using var snapshot = surface.Snapshot();
        using var bitmap = SKBitmap.FromImage(snapshot);
        Overlay.SavePng(bitmap, path);
    }

    static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
