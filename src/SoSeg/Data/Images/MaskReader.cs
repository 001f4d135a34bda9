using SkiaSharp;

namespace SoSeg.Data.Images;

/// <summary>How label values are stored in a mask file.</summary>
public enum MaskEncoding
{
    /// <summary>Pixel values are label values: grey PNG/BMP values, or the palette indices of an indexed PNG.</summary>
    Values,
    /// <summary>Binary mask, binarised at half range (grey or luminance &gt;= 128 is foreground): JPEG masks, 0/255 masks.</summary>
    Threshold,
    /// <summary>RGB colours stand for labels through a colour map (dataset.json "colour_map").</summary>
    ColourCoded,
}

/// <summary>
/// Reads mask files as label values (not yet class indices): grey values, palette indices of indexed PNGs
/// (Skia decodes palettes to RGBA, so colours are mapped back through the PLTE chunk; where a palette repeats
/// a colour the lowest index wins), colours through a colour map, or thresholded binary masks.
/// </summary>
public static class MaskReader
{
    /// <param name="path">PNG, BMP, TIFF or JPEG file.</param>
    /// <param name="encoding">How the file stores labels.</param>
    /// <param name="colourToValue">For <see cref="MaskEncoding.ColourCoded"/>: packed 0xRRGGBB -> label value.</param>
    /// <param name="foregroundValue">For <see cref="MaskEncoding.Threshold"/>: the label value of foreground pixels.</param>
    public static DecodedMask Read(string path, MaskEncoding encoding, IReadOnlyDictionary<int, byte>? colourToValue = null, byte foregroundValue = 1)
    {
        byte[] bytes = ImageReader.ReadBytes(path, out var tiff);
        using var codec = ImageReader.CreateCodec(bytes, path);
        int width = codec.Info.Width, height = codec.Info.Height;
        var png = PngInfo.IsPng(bytes) ? PngInfo.Parse(bytes, path) : null;
        int channels = ImageReader.ChannelsOf(codec, png);
        byte[] values = encoding switch
        {
            MaskEncoding.Threshold => Threshold(codec, channels, foregroundValue, path),
            MaskEncoding.ColourCoded => Colours(codec, colourToValue ?? throw new ArgumentNullException(nameof(colourToValue)), path, width),
            _ => Values(codec, tiff is null ? png : null, tiff, channels, path, width),
        };
        return new DecodedMask(height, width, values);
    }

    static byte[] Values(SKCodec codec, PngInfo? png, TiffTranscoder.Source? tiff, int channels, string path, int width)
    {
        if (ImageReader.IsJpeg(path) || codec.EncodedFormat == SKEncodedImageFormat.Jpeg)
            throw new SoSegException($"{path}: a JPEG mask cannot hold exact label values (lossy compression); store masks as PNG, or use a binary dataset where JPEG masks are thresholded.");
        if (png is { IsPalette: true }) return PaletteIndices(codec, png, path, width);
        if (png is { IsGrey: true, BitDepth: 16 })
            throw new SoSegException($"{path}: 16-bit grey mask; label masks must be 8-bit (values 0..254).");
        if (tiff is { BitsPerSample: > 8 })
            throw new SoSegException($"{path}: {tiff.Value.BitsPerSample}-bit TIFF mask; label masks must be 8-bit (values 0..254).");
        if (channels == 1)
        {
            byte[] grey = ImageReader.DecodeGrey(codec, path);
            int sourceBits = png is { IsGrey: true } ? png.BitDepth : tiff is { Grey: true } ? tiff.Value.BitsPerSample : 8;
            if (sourceBits < 8)
            {
                // Skia and LibTiff scale 1/2/4-bit samples to 0..255; undo it so a 1-bit mask of 0/1 stays 0/1.
                int step = 255 / ((1 << sourceBits) - 1);
                for (int i = 0; i < grey.Length; i++) grey[i] = (byte)(grey[i] / step);
            }
            return grey;
        }
        // A colour file whose pixels are all grey (r = g = b) is a grey mask saved as RGB.
        byte[] rgba = ImageReader.DecodePixels(codec, SKColorType.Rgba8888, path);
        var values = new byte[rgba.Length / 4];
        for (int i = 0, j = 0; i < values.Length; i++, j += 4)
        {
            byte r = rgba[j];
            if (rgba[j + 1] != r || rgba[j + 2] != r)
                throw new SoSegException($"{path}: colour mask (pixel x={i % width}, y={i / width} is ({r}, {rgba[j + 1]}, {rgba[j + 2]})); " +
                                         "give dataset.json a \"colour_map\" (label name -> [r, g, b]) or store label values as a grey or indexed PNG.");
            values[i] = r;
        }
        return values;
    }

    static byte[] PaletteIndices(SKCodec codec, PngInfo png, string path, int width)
    {
        var indexOf = new Dictionary<int, byte>();
        for (int index = png.PaletteEntries - 1; index >= 0; index--)
            indexOf[Pack(png.Palette[3 * index], png.Palette[3 * index + 1], png.Palette[3 * index + 2])] = (byte)index;
        byte[] rgba = ImageReader.DecodePixels(codec, SKColorType.Rgba8888, path);
        var values = new byte[rgba.Length / 4];
        int lastColour = -1;
        byte lastIndex = 0;
        for (int i = 0, j = 0; i < values.Length; i++, j += 4)
        {
            int colour = Pack(rgba[j], rgba[j + 1], rgba[j + 2]);
            if (colour != lastColour)
            {
                if (!indexOf.TryGetValue(colour, out lastIndex))
                    throw new SoSegException($"{path}: decoded colour ({rgba[j]}, {rgba[j + 1]}, {rgba[j + 2]}) at x={i % width}, y={i / width} is not in the PNG palette.");
                lastColour = colour;
            }
            values[i] = lastIndex;
        }
        return values;
    }

    static byte[] Colours(SKCodec codec, IReadOnlyDictionary<int, byte> colourToValue, string path, int width)
    {
        if (ImageReader.IsJpeg(path) || codec.EncodedFormat == SKEncodedImageFormat.Jpeg)
            throw new SoSegException($"{path}: a colour-coded mask cannot be JPEG (lossy compression changes the colours); store it as PNG.");
        byte[] rgba = ImageReader.DecodePixels(codec, SKColorType.Rgba8888, path);
        var values = new byte[rgba.Length / 4];
        int lastColour = -1;
        byte lastValue = 0;
        for (int i = 0, j = 0; i < values.Length; i++, j += 4)
        {
            int colour = Pack(rgba[j], rgba[j + 1], rgba[j + 2]);
            if (colour != lastColour)
            {
                if (!colourToValue.TryGetValue(colour, out lastValue))
                    throw new SoSegException($"{path}: colour ({rgba[j]}, {rgba[j + 1]}, {rgba[j + 2]}) at x={i % width}, y={i / width} is not in dataset.json's colour_map " +
                                             $"({string.Join(", ", colourToValue.Keys.Select(FormatColour))}).");
                lastColour = colour;
            }
            values[i] = lastValue;
        }
        return values;
    }

    static byte[] Threshold(SKCodec codec, int channels, byte foreground, string path)
    {
        if (channels == 1)
        {
            byte[] grey = ImageReader.DecodeGrey(codec, path);
            for (int i = 0; i < grey.Length; i++) grey[i] = grey[i] >= 128 ? foreground : (byte)0;
            return grey;
        }
        byte[] rgba = ImageReader.DecodePixels(codec, SKColorType.Rgba8888, path);
        var values = new byte[rgba.Length / 4];
        for (int i = 0, j = 0; i < values.Length; i++, j += 4)
        {
            // Luminance (BT.601 weights in 1/256ths): JPEG colour noise on a white mask stays above half range.
            int luminance = (77 * rgba[j] + 150 * rgba[j + 1] + 29 * rgba[j + 2]) >> 8;
            values[i] = luminance >= 128 ? foreground : (byte)0;
        }
        return values;
    }

    /// <summary>Packs a colour as 0xRRGGBB, the key of colour maps.</summary>
    public static int Pack(byte r, byte g, byte b) => (r << 16) | (g << 8) | b;

    static string FormatColour(int packed) => $"[{(packed >> 16) & 255}, {(packed >> 8) & 255}, {packed & 255}]";
}
