using SkiaSharp;
using SoSeg.Data.Statistics;

namespace SoSeg.App.Reports;

/// <summary>
/// Zoomed views of an image's smallest ground-truth objects: at full-image scale a 20-pixel object is
/// invisible, so the comparison figure repeats each row cropped around it (truth and every model alike).
/// </summary>
public static class SmallObjectInsets
{
    /// <summary>A square region of an image in pixels.</summary>
    public readonly record struct Region(int X, int Y, int Side);

    /// <summary>
    /// Regions around the <paramref name="count"/> smallest objects of the mask (8-connected, any foreground class),
    /// each 4 x the object's larger bounding-box side and at least <paramref name="minSide"/> px, inside the image.
    /// </summary>
    public static IReadOnlyList<Region> Around(byte[] mask, int height, int width, int count = 1, int minSide = 24)
    {
        var labels = new int[mask.Length];
        int objects = ConnectedComponents.LabelAllClasses(mask, height, width, labels);
        if (objects == 0) return [];
        var area = new int[objects + 1];
        var (x0, y0, x1, y1) = (Enumerable.Repeat(int.MaxValue, objects + 1).ToArray(), Enumerable.Repeat(int.MaxValue, objects + 1).ToArray(), new int[objects + 1], new int[objects + 1]);
        for (int i = 0; i < labels.Length; i++)
        {
            int l = labels[i];
            if (l == 0) continue;
            int x = i % width, y = i / width;
            area[l]++;
            x0[l] = Math.Min(x0[l], x); y0[l] = Math.Min(y0[l], y);
            x1[l] = Math.Max(x1[l], x); y1[l] = Math.Max(y1[l], y);
        }
        return Enumerable.Range(1, objects).OrderBy(l => area[l]).ThenBy(l => l).Take(count).Select(l =>
        {
            int side = Math.Min(Math.Min(height, width), Math.Max(minSide, 4 * Math.Max(x1[l] - x0[l] + 1, y1[l] - y0[l] + 1)));
            int cx = (x0[l] + x1[l]) / 2, cy = (y0[l] + y1[l]) / 2;
            return new Region(Math.Clamp(cx - side / 2, 0, width - side), Math.Clamp(cy - side / 2, 0, height - side), side);
        }).ToList();
    }

    /// <summary>A copy of <paramref name="region"/> of a full-image tile (the figure enlarges it with nearest sampling).</summary>
    public static SKBitmap Crop(SKBitmap tile, Region region)
    {
        var inset = new SKBitmap(new SKImageInfo(region.Side, region.Side, tile.ColorType, tile.AlphaType));
        using var canvas = new SKCanvas(inset);
        canvas.DrawBitmap(tile, new SKRect(region.X, region.Y, region.X + region.Side, region.Y + region.Side), new SKRect(0, 0, region.Side, region.Side));
        return inset;
    }
}
