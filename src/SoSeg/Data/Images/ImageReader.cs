using SkiaSharp;

namespace SoSeg.Data.Images;

/// <summary>
/// Decodes PNG, JPEG, BMP and TIFF files (TIFF through <see cref="TiffTranscoder"/>) via SkiaSharp into intensities scaled to [0, 1] (channel-major C x H x W):
/// grey files give one channel, colour files three (R, G, B; alpha is dropped). Damaged or truncated files
/// (a JPEG cut anywhere before its end-of-image marker included) and files whose header declares more than
/// <see cref="MaxPixels"/> pixels fail, before any pixel buffer is allocated, with a <see cref="SoSegException"/>
/// that names the file.
/// </summary>
public static class ImageReader
{
    /// <summary>
    /// The most pixels one 2-D image may declare (2^28, e.g. 16384 x 16384): a decoded colour image of that
    /// size takes 3 GiB as floats. Larger headers are refused before decoding.
    /// </summary>
    public const long MaxPixels = 1L << 28;

    /// <summary>File endings read as 2-D images.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"];

    static readonly float[] ByteToUnit = Enumerable.Range(0, 256).Select(i => i / 255f).ToArray();

    /// <summary>True for .png, .jpg, .jpeg, .bmp, .tif and .tiff (any case).</summary>
    public static bool IsImagePath(string path) =>
        Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>True for .jpg and .jpeg: lossy files, whose masks must be thresholded.</summary>
    public static bool IsJpeg(string path) =>
        path.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase);

    /// <summary>Width, height and channel count (1 grey, 3 colour) from the file's header, without decoding pixels.</summary>
    public static (int Width, int Height, int Channels) ReadInfo(string path)
    {
        byte[] bytes = ReadRaw(path);
        if (TiffTranscoder.IsTiff(bytes)) return TiffTranscoder.ReadInfo(bytes, path);
        using var codec = CreateCodec(bytes, path);
        return (codec.Info.Width, codec.Info.Height, ChannelsOf(codec, bytes, path));
    }

    /// <summary>Decodes an image to C x H x W floats in [0, 1].</summary>
    public static DecodedImage Read(string path)
    {
        byte[] bytes = ReadBytes(path);
        using var codec = CreateCodec(bytes, path);
        int channels = ChannelsOf(codec, bytes, path);
        int width = codec.Info.Width, height = codec.Info.Height, pixels = width * height;
        var result = new float[channels * pixels];
        var lut = ByteToUnit;
        if (channels == 1)
        {
            byte[] grey = DecodeGrey(codec, path);
            for (int i = 0; i < pixels; i++) result[i] = lut[grey[i]];
        }
        else
        {
            byte[] rgba = DecodePixels(codec, SKColorType.Rgba8888, path);
            for (int i = 0, j = 0; i < pixels; i++, j += 4)
            {
                result[i] = lut[rgba[j]];
                result[pixels + i] = lut[rgba[j + 1]];
                result[2 * pixels + i] = lut[rgba[j + 2]];
            }
        }
        return new DecodedImage(channels, height, width, result);
    }

    /// <summary>The file's bytes; a TIFF file comes back as PNG bytes of its first page.</summary>
    internal static byte[] ReadBytes(string path) => ReadBytes(path, out _);

    /// <param name="tiff">The source facts when the file is a TIFF, else null.</param>
    internal static byte[] ReadBytes(string path, out TiffTranscoder.Source? tiff)
    {
        byte[] bytes = ReadRaw(path);
        tiff = null;
        if (!TiffTranscoder.IsTiff(bytes)) return bytes;
        bytes = TiffTranscoder.ToPng(bytes, path, out var source);
        tiff = source;
        return bytes;
    }

    static byte[] ReadRaw(string path)
    {
        if (!File.Exists(path)) throw SoSegException.Unreadable($"{path}: file not found.");
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0) throw SoSegException.Unreadable($"{path}: empty file.");
        return bytes;
    }

    /// <summary>
    /// A decoder for the file's bytes, after the checks that need no pixels: a readable header, a size of at
    /// least one and at most <see cref="MaxPixels"/> pixels, and for JPEG every segment up to the end-of-image marker.
    /// </summary>
    internal static SKCodec CreateCodec(byte[] bytes, string path)
    {
        var codec = SKCodec.Create(new SKMemoryStream(bytes), out var result);
        if (codec is null)
            throw result == SKCodecResult.IncompleteInput
                ? SoSegException.Unreadable($"{path}: truncated image (the file ends inside its header).", truncated: true)
                : SoSegException.Unreadable($"{path}: not a readable PNG, JPEG, BMP or TIFF image (unknown or damaged header).");
        try
        {
            CheckDeclaredSize(codec.Info.Width, codec.Info.Height, path);
            if (codec.EncodedFormat == SKEncodedImageFormat.Jpeg && !JpegStructure.IsComplete(bytes))
                throw SoSegException.Unreadable($"{path}: truncated JPEG (the file ends before its end-of-image marker).", truncated: true);
            return codec;
        }
        catch
        {
            codec.Dispose();
            throw;
        }
    }

    /// <summary>Refuses a header that declares no pixels or more than <see cref="MaxPixels"/>, naming the file.</summary>
    internal static void CheckDeclaredSize(long width, long height, string path)
    {
        if (width <= 0 || height <= 0) throw SoSegException.Unreadable($"{path}: image has no pixels ({width} x {height}).");
        if (width * height > MaxPixels)
            throw SoSegException.Unreadable($"{path}: the header declares {width} x {height} pixels, more than the limit of {MaxPixels:N0} pixels (16384 x 16384); refused before decoding.");
    }

    /// <summary>1 for grey files (Skia's Gray8; grey PNGs with alpha; palette PNGs whose colours are all grey), else 3.</summary>
    internal static int ChannelsOf(SKCodec codec, byte[] bytes, string path) =>
        codec.Info.ColorType == SKColorType.Gray8 ? 1 : ChannelsOf(codec, PngInfo.IsPng(bytes) ? PngInfo.Parse(bytes, path) : null);

    /// <summary>As above, for a caller that parsed the PNG chunks already (<paramref name="png"/> null when the file is no PNG).</summary>
    internal static int ChannelsOf(SKCodec codec, PngInfo? png) =>
        codec.Info.ColorType == SKColorType.Gray8 || (png is not null && (png.IsGrey || (png.IsPalette && png.PaletteIsGrey))) ? 1 : 3;

    /// <summary>One byte per pixel for a file of one channel; files Skia decodes to colour (grey palettes) give their red channel.</summary>
    internal static byte[] DecodeGrey(SKCodec codec, string path)
    {
        if (codec.Info.ColorType == SKColorType.Gray8) return DecodePixels(codec, SKColorType.Gray8, path);
        byte[] rgba = DecodePixels(codec, SKColorType.Rgba8888, path);
        var grey = new byte[rgba.Length / 4];
        for (int i = 0; i < grey.Length; i++) grey[i] = rgba[4 * i];
        return grey;
    }

    /// <summary>Decodes every pixel as 8-bit grey or unpremultiplied RGBA; truncated or damaged data is an error.</summary>
    internal static byte[] DecodePixels(SKCodec codec, SKColorType colorType, string path)
    {
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, colorType, SKAlphaType.Unpremul);
        var pixels = new byte[info.BytesSize];
        SKCodecResult result;
        unsafe
        {
            fixed (byte* p = pixels) result = codec.GetPixels(info, (IntPtr)p);
        }
        return result switch
        {
            SKCodecResult.Success => pixels,
            SKCodecResult.IncompleteInput => throw SoSegException.Unreadable($"{path}: truncated image (the file ends before all pixels are decoded).", truncated: true),
            SKCodecResult.ErrorInInput => throw SoSegException.Unreadable($"{path}: damaged image data."),
            _ => throw SoSegException.Unreadable($"{path}: cannot decode the image ({result})."),
        };
    }
}
