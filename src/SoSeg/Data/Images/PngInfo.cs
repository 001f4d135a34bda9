using System.Buffers.Binary;

namespace SoSeg.Data.Images;

/// <summary>
/// The PNG facts Skia does not report: bit depth, colour type and the palette (PLTE chunk). Skia decodes a
/// palette PNG to RGBA, so a palette mask's indices are recovered by mapping each colour back through PLTE.
/// </summary>
public sealed class PngInfo
{
    static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public int Width { get; private init; }
    public int Height { get; private init; }
    /// <summary>Bits per sample (per palette index for colour type 3): 1, 2, 4, 8 or 16.</summary>
    public int BitDepth { get; private init; }
    /// <summary>0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA.</summary>
    public int ColourType { get; private init; }
    /// <summary>PLTE entries as r, g, b triples (empty unless the file has a palette).</summary>
    public byte[] Palette { get; private init; } = [];

    public bool IsPalette => ColourType == 3;
    public bool IsGrey => ColourType is 0 or 4;
    public int PaletteEntries => Palette.Length / 3;

    /// <summary>True when every palette entry is grey (r = g = b): such a file is a one-channel image.</summary>
    public bool PaletteIsGrey
    {
        get
        {
            for (int i = 0; i + 2 < Palette.Length; i += 3)
                if (Palette[i] != Palette[i + 1] || Palette[i] != Palette[i + 2]) return false;
            return true;
        }
    }

    /// <summary>True when <paramref name="bytes"/> start with the PNG signature.</summary>
    public static bool IsPng(ReadOnlySpan<byte> bytes) => bytes.Length >= 8 && bytes[..8].SequenceEqual(Signature);

    /// <summary>Parses the chunks before the image data; throws a SoSegException naming <paramref name="path"/> for a damaged header.</summary>
    public static PngInfo Parse(byte[] bytes, string path)
    {
        if (!IsPng(bytes)) throw SoSegException.Unreadable($"{path}: not a PNG file.");
        int position = 8;
        int width = 0, height = 0, depth = 0, colourType = -1;
        byte[] palette = [];
        while (position + 8 <= bytes.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(position));
            string type = System.Text.Encoding.ASCII.GetString(bytes, position + 4, 4);
            if (length < 0 || position + 12 + (long)length > bytes.Length)
                throw SoSegException.Unreadable($"{path}: truncated PNG (chunk {type} runs past the end of the file).", truncated: true);
            var data = bytes.AsSpan(position + 8, length);
            if (type == "IHDR")
            {
                if (length < 13) throw SoSegException.Unreadable($"{path}: damaged PNG header (IHDR of {length} bytes).");
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                depth = data[8];
                colourType = data[9];
            }
            else if (type == "PLTE")
            {
                if (length % 3 != 0) throw SoSegException.Unreadable($"{path}: damaged PNG palette ({length} bytes, not a multiple of 3).");
                palette = data.ToArray();
            }
            else if (type is "IDAT" or "IEND") break;
            position += 12 + length;
        }
        if (colourType < 0) throw SoSegException.Unreadable($"{path}: damaged PNG (no IHDR chunk).");
        if (colourType == 3 && palette.Length == 0) throw SoSegException.Unreadable($"{path}: palette PNG without a PLTE chunk.");
        return new PngInfo { Width = width, Height = height, BitDepth = depth, ColourType = colourType, Palette = palette };
    }
}
