using SkiaSharp;

namespace SoSeg.Data.Synthetic;

/// <summary>Lossless PNG encoding of 8-bit grey or RGB buffers through SkiaSharp.</summary>
internal static class SyntheticPng
{
    /// <summary>Encodes Height x Width x Channels bytes (1 = grey, 3 = RGB) as PNG.</summary>
    public static unsafe byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        if (channels is not (1 or 3)) throw new ArgumentException($"PNG encoding takes 1 or 3 channels, not {channels}.", nameof(channels));
        if (pixels.Length != width * height * channels)
            throw new ArgumentException($"Expected {width}x{height}x{channels} = {width * height * channels} bytes, got {pixels.Length}.", nameof(pixels));

        var info = new SKImageInfo(width, height, channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var target = new Span<byte>((void*)bitmap.GetPixels(), bitmap.ByteCount);
        int rowBytes = bitmap.RowBytes;
        for (int y = 0; y < height; y++)
        {
            var row = target.Slice(y * rowBytes, width * (channels == 1 ? 1 : 4));
            var source = pixels.Slice(y * width * channels, width * channels);
            if (channels == 1) source.CopyTo(row);
            else
                for (int x = 0; x < width; x++)
                {
                    row[4 * x] = source[3 * x];
                    row[4 * x + 1] = source[3 * x + 1];
                    row[4 * x + 2] = source[3 * x + 2];
                    row[4 * x + 3] = 255;
                }
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the PNG.");
        return data.ToArray();
    }
}
