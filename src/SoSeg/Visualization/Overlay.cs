using SkiaSharp;
using SoSeg.IO;

namespace SoSeg.Visualization;

/// <summary>
/// Draws a class map over its image: a translucent fill plus an opaque one-pixel outline per class, so
/// objects of a few pixels stay visible. Used by `predict --overlays` and the comparison figure.
/// </summary>
public static class Overlay
{
    /// <summary>RGBA bitmap of the image (float C x H x W in [0,1], grey or RGB) with the class map drawn over it; null map = plain image.</summary>
    public static SKBitmap Render(ReadOnlySpan<float> image, int channels, int height, int width, ReadOnlySpan<byte> classMap, double fillAlpha = 0.35)
    {
        if (image.Length != channels * height * width) throw new ArgumentException($"image has {image.Length} values, expected {channels} x {height} x {width}.");
        if (!classMap.IsEmpty && classMap.Length != height * width) throw new ArgumentException($"class map has {classMap.Length} values, expected {height} x {width}.");
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var pixels = new byte[height * width * 4];
        int plane = height * width;
        for (int i = 0; i < plane; i++)
        {
            double r = image[i], g = channels >= 3 ? image[plane + i] : r, b = channels >= 3 ? image[2 * plane + i] : r;
            int cls = classMap.IsEmpty ? 0 : classMap[i];
            if (cls is > 0 and < 255)
            {
                var colour = ClassPalette.Of(cls);
                double alpha = IsBoundary(classMap, i, height, width) ? 1.0 : fillAlpha;
                r = r * (1 - alpha) + colour.R / 255.0 * alpha;
                g = g * (1 - alpha) + colour.G / 255.0 * alpha;
                b = b * (1 - alpha) + colour.B / 255.0 * alpha;
            }
            pixels[4 * i] = ToByte(r);
            pixels[4 * i + 1] = ToByte(g);
            pixels[4 * i + 2] = ToByte(b);
            pixels[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        return bitmap;
    }

    /// <summary>Writes a bitmap as PNG, atomically.</summary>
    public static void SavePng(SKBitmap bitmap, string path)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(path, data.AsSpan());
    }

    static bool IsBoundary(ReadOnlySpan<byte> map, int index, int height, int width)
    {
        int y = index / width, x = index % width;
        byte cls = map[index];
        return (x == 0 || map[index - 1] != cls) || (x == width - 1 || map[index + 1] != cls) ||
               (y == 0 || map[index - width] != cls) || (y == height - 1 || map[index + width] != cls);
    }

    static byte ToByte(double v) => (byte)Math.Clamp((int)Math.Round(v * 255), 0, 255);
}
