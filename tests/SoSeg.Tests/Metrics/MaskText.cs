namespace SoSeg.Tests.Metrics;

/// <summary>Class maps written as text rows: digits are classes, 'x' is the ignore value 255.</summary>
internal static class MaskText
{
    public static (byte[] Pixels, int Height, int Width) Parse(params string[] rows)
    {
        int height = rows.Length, width = rows[0].Length;
        var pixels = new byte[height * width];
        for (int y = 0; y < height; y++)
        {
            if (rows[y].Length != width) throw new ArgumentException($"Row {y} has {rows[y].Length} characters, expected {width}.");
            for (int x = 0; x < width; x++)
                pixels[y * width + x] = rows[y][x] == 'x' ? (byte)255 : (byte)(rows[y][x] - '0');
        }
        return (pixels, height, width);
    }

    public static byte[] Bytes(params string[] rows) => Parse(rows).Pixels;

    /// <summary>An H x W map of zeros with <paramref name="pixels"/> pixels of <paramref name="value"/> filled in raster order from the top-left.</summary>
    public static byte[] Filled(int height, int width, int pixels, byte value = 1, int start = 0)
    {
        var map = new byte[height * width];
        for (int i = 0; i < pixels; i++) map[start + i] = value;
        return map;
    }
}
