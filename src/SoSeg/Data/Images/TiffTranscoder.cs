using BitMiracle.LibTiff.Classic;
using SkiaSharp;

namespace SoSeg.Data.Images;

/// <summary>
/// Reads TIFF files (CVC-ClinicDB ships its frames and masks as .tif) through LibTiff.NET and hands them on
/// as PNG bytes, so the rest of the image code decodes one kind of file. LibTiff's RGBA interface covers every
/// photometric interpretation and compression of baseline TIFF; samples of more than 8 bits come out scaled
/// to 8 bits. Only the first page of a multi-page file is read.
/// </summary>
public static class TiffTranscoder
{
    /// <summary>The facts of the source file that the PNG does not carry.</summary>
    public readonly record struct Source(int BitsPerSample, bool Grey, int Pages);

    [ThreadStatic] static string? lastError;
    static readonly object HandlerLock = new();
    static bool handlerInstalled;

    /// <summary>True when the bytes start like a TIFF or BigTIFF file (II*\0, MM\0*, II+\0, MM\0+).</summary>
    public static bool IsTiff(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 4
        && ((bytes[0] == 'I' && bytes[1] == 'I' && bytes[2] is 42 or 43 && bytes[3] == 0)
            || (bytes[0] == 'M' && bytes[1] == 'M' && bytes[2] == 0 && bytes[3] is 42 or 43));

    /// <summary>Width, height and channel count (1 grey, 3 colour, as <see cref="ToPng"/> gives them) from the TIFF header, without decoding pixels.</summary>
    public static (int Width, int Height, int Channels) ReadInfo(byte[] tiff, string path)
    {
        using var image = Open(tiff, path, out int width, out int height, out _, out bool grey);
        return (width, height, grey ? 1 : 3);
    }

    /// <summary>Decodes the first page of a TIFF file and encodes it as a grey (one-channel source) or RGBA PNG.</summary>
    public static byte[] ToPng(byte[] tiff, string path, out Source source)
    {
        using var image = Open(tiff, path, out int width, out int height, out int bits, out bool grey);
        source = new Source(bits, grey, image.NumberOfDirectories());

        var raster = new int[width * height];
        bool ok;
        try
        {
            ok = image.ReadRGBAImageOriented(width, height, raster, Orientation.TOPLEFT, stopOnError: true);
        }
        catch (Exception e) when (e is not SoSegException)
        {
            throw SoSegException.Unreadable($"{path}: damaged TIFF image data ({e.Message}).");
        }
        if (!ok) throw SoSegException.Unreadable($"{path}: cannot decode the TIFF image ({lastError ?? "truncated or unsupported data"}).", truncated: true);

        var info = new SKImageInfo(width, height, grey ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var pixels = bitmap.GetPixelSpan();
        if (grey)
            for (int i = 0; i < raster.Length; i++) pixels[i] = (byte)Tiff.GetR(raster[i]);
        else
            for (int i = 0, j = 0; i < raster.Length; i++, j += 4)
            {
                pixels[j] = (byte)Tiff.GetR(raster[i]);
                pixels[j + 1] = (byte)Tiff.GetG(raster[i]);
                pixels[j + 2] = (byte)Tiff.GetB(raster[i]);
                pixels[j + 3] = (byte)Tiff.GetA(raster[i]);
            }
        // The PNG only carries the pixels to Skia's decoder: unfiltered and uncompressed is far cheaper to write and decodes the same.
        using var pixmap = bitmap.PeekPixels();
        using var png = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.NoFilters, 0))
            ?? throw SoSegException.Unreadable($"{path}: cannot pass the decoded TIFF image on (PNG encoding failed).");
        return png.ToArray();
    }

    /// <summary>Opens the first page and reads the header fields both entry points need; fails naming the file.</summary>
    static Tiff Open(byte[] tiff, string path, out int width, out int height, out int bits, out bool grey)
    {
        InstallErrorHandler();
        lastError = null;
        var image = Tiff.ClientOpen(path, "r", new MemoryStream(tiff, writable: false), new TiffStream())
            ?? throw SoSegException.Unreadable($"{path}: not a readable TIFF image ({lastError ?? "damaged header"}).");
        try
        {
            width = FieldInt(image, TiffTag.IMAGEWIDTH, 0);
            height = FieldInt(image, TiffTag.IMAGELENGTH, 0);
            ImageReader.CheckDeclaredSize(width, height, path);
            bits = FieldInt(image, TiffTag.BITSPERSAMPLE, 1);
            var photometric = (Photometric)FieldInt(image, TiffTag.PHOTOMETRIC, (int)Photometric.MINISBLACK);
            grey = photometric is Photometric.MINISBLACK or Photometric.MINISWHITE;
            return image;
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    static int FieldInt(Tiff image, TiffTag tag, int fallback)
    {
        var value = image.GetField(tag);
        return value is { Length: > 0 } ? value[0].ToInt() : fallback;
    }

    // LibTiff.NET prints errors and warnings to the console by default; keep them as the message of our exception instead.
    static void InstallErrorHandler()
    {
        if (handlerInstalled) return;
        lock (HandlerLock)
        {
            if (handlerInstalled) return;
            Tiff.SetErrorHandler(new QuietHandler());
            handlerInstalled = true;
        }
    }

    sealed class QuietHandler : TiffErrorHandler
    {
        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args) =>
            lastError ??= Format(tif, format, args);

        public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) =>
            lastError ??= Format(tif, format, args);

        public override void WarningHandler(Tiff tif, string method, string format, params object[] args) { }

        public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) { }

        // LibTiff puts the file name first in many messages; our message names the file already.
        static string Format(Tiff? tif, string format, object[] args)
        {
            string message;
            try { message = args.Length > 0 ? string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args) : format; }
            catch (FormatException) { message = format; }
            if (tif?.FileName() is { Length: > 0 } name && message.StartsWith(name + ": ", StringComparison.Ordinal)) message = message[(name.Length + 2)..];
            return message;
        }
    }
}
