using System.Runtime.InteropServices;
using SkiaSharp;
using SoSeg.IO;

namespace SoSeg.Data.Images;

/// <summary>
/// Writes 8-bit grey and RGB images (PNG, or JPEG for photos) and label masks (always PNG, lossless) through
/// SkiaSharp, atomically.
/// </summary>
public static class ImageWriter
{
    /// <summary>Writes Height x Width grey bytes as a grey PNG (or JPEG, by the path's ending).</summary>
    public static void WriteGrey(string path, ReadOnlySpan<byte> pixels, int height, int width)
    {
        CheckSize(pixels.Length, height, width, 1, path);
        Encode(path, pixels, height, width, SKColorType.Gray8);
    }

    /// <summary>Writes one channel of floats in [0, 1] (clamped) as a grey image.</summary>
    public static void WriteGrey(string path, ReadOnlySpan<float> unitPixels, int height, int width)
    {
        CheckSize(unitPixels.Length, height, width, 1, path);
        var bytes = new byte[unitPixels.Length];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = ToByte(unitPixels[i]);
        Encode(path, bytes, height, width, SKColorType.Gray8);
    }

    /// <summary>Writes 3 x Height x Width floats in [0, 1] (channel-major, clamped) as an RGB image.</summary>
    public static void WriteRgb(string path, ReadOnlySpan<float> channelMajor, int height, int width)
    {
        CheckSize(channelMajor.Length, height, width, 3, path);
        int pixels = height * width;
        var rgba = new byte[pixels * 4];
        for (int i = 0, j = 0; i < pixels; i++, j += 4)
        {
            rgba[j] = ToByte(channelMajor[i]);
            rgba[j + 1] = ToByte(channelMajor[pixels + i]);
            rgba[j + 2] = ToByte(channelMajor[2 * pixels + i]);
            rgba[j + 3] = 255;
        }
        Encode(path, rgba, height, width, SKColorType.Rgba8888);
    }

    /// <summary>Writes Height x Width x 3 interleaved RGB bytes as an RGB image.</summary>
    public static void WriteRgb(string path, ReadOnlySpan<byte> interleavedRgb, int height, int width)
    {
        CheckSize(interleavedRgb.Length, height, width, 3, path);
        var rgba = new byte[height * width * 4];
        for (int i = 0, j = 0; j < rgba.Length; i += 3, j += 4)
        {
            rgba[j] = interleavedRgb[i];
            rgba[j + 1] = interleavedRgb[i + 1];
            rgba[j + 2] = interleavedRgb[i + 2];
            rgba[j + 3] = 255;
        }
        Encode(path, rgba, height, width, SKColorType.Rgba8888);
    }

    /// <summary>Writes label values as a grey PNG mask (read back exactly by <see cref="MaskReader"/> with <see cref="MaskEncoding.Values"/>).</summary>
    public static void WriteMask(string path, ReadOnlySpan<byte> labelValues, int height, int width)
    {
        RequirePng(path);
        WriteGrey(path, labelValues, height, width);
    }

    /// <summary>Writes label values as an RGB PNG through a colour map (label value -> r, g, b).</summary>
    public static void WriteColourMask(string path, ReadOnlySpan<byte> labelValues, int height, int width, IReadOnlyDictionary<byte, byte[]> colours)
    {
        RequirePng(path);
        CheckSize(labelValues.Length, height, width, 1, path);
        var rgba = new byte[labelValues.Length * 4];
        for (int i = 0, j = 0; i < labelValues.Length; i++, j += 4)
        {
            if (!colours.TryGetValue(labelValues[i], out var rgb))
                throw new ArgumentException($"{path}: label value {labelValues[i]} has no colour.", nameof(colours));
            rgba[j] = rgb[0];
            rgba[j + 1] = rgb[1];
            rgba[j + 2] = rgb[2];
            rgba[j + 3] = 255;
        }
        Encode(path, rgba, height, width, SKColorType.Rgba8888);
    }

    static byte ToByte(float unit) => (byte)Math.Clamp((int)MathF.Round(unit * 255f), 0, 255);

    static void RequirePng(string path)
    {
        if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new SoSegException($"{path}: masks are written as PNG (lossless); use a .png name.");
    }

    static void CheckSize(int length, int height, int width, int channels, string path)
    {
        if (height <= 0 || width <= 0) throw new ArgumentException($"{path}: image size {height} x {width} is empty.");
        if (length != height * width * channels)
            throw new ArgumentException($"{path}: {length} values for a {channels} x {height} x {width} image.");
    }

    static void Encode(string path, ReadOnlySpan<byte> pixels, int height, int width, SKColorType colorType)
    {
        SKEncodedImageFormat format;
        if (path.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) format = SKEncodedImageFormat.Png;
        else if (ImageReader.IsJpeg(path)) format = SKEncodedImageFormat.Jpeg;
        else throw new SoSegException($"{path}: images are written as .png or .jpg.");

        // Every writer here sets alpha to 255: opaque makes the PNG grey or RGB (no alpha channel to store).
        var info = new SKImageInfo(width, height, colorType, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        pixels.CopyTo(MemoryMarshal.AsBytes(bitmap.GetPixelSpan()));
        AtomicFile.Write(path, stream =>
        {
            if (!bitmap.Encode(stream, format, 95)) throw new SoSegException($"{path}: SkiaSharp could not encode the image.");
        });
    }
}
