using System.Buffers.Binary;

namespace SoSeg.Data.Images;

/// <summary>
/// Walks the marker segments of a JPEG file to tell whether it is complete. Skia's decoder reports a cut
/// baseline JPEG as incomplete, but a cut progressive JPEG decodes "successfully" from the scans that
/// arrived (libjpeg pads the missing data), giving a blurred or grey picture without a word; a file whose
/// segments end before the end-of-image marker is therefore refused here.
/// </summary>
public static class JpegStructure
{
    const byte Marker = 0xFF, StartOfImage = 0xD8, EndOfImage = 0xD9, StartOfScan = 0xDA;

    /// <summary>True when the bytes run from the start-of-image marker through every segment and scan to an end-of-image marker.</summary>
    public static bool IsComplete(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4 || bytes[0] != Marker || bytes[1] != StartOfImage) return false;
        int position = 2;
        while (true)
        {
            // Markers may be preceded by any number of fill bytes 0xFF.
            if (position >= bytes.Length || bytes[position] != Marker) return false;
            while (position < bytes.Length && bytes[position] == Marker) position++;
            if (position >= bytes.Length) return false;
            byte marker = bytes[position++];
            if (marker == EndOfImage) return true;
            if (marker is 0x01 or >= 0xD0 and <= 0xD7) continue; // TEM and restart markers stand alone
            if (position + 2 > bytes.Length) return false;
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[position..]);
            if (length < 2 || position + length > bytes.Length) return false;
            position += length;
            if (marker == StartOfScan && !SkipEntropyCodedData(bytes, ref position)) return false;
        }
    }

    /// <summary>Moves past a scan's entropy-coded data to the next marker; false when the file ends first.</summary>
    static bool SkipEntropyCodedData(ReadOnlySpan<byte> bytes, ref int position)
    {
        while (true)
        {
            int next = bytes[position..].IndexOf(Marker);
            if (next < 0) return false;
            position += next;
            if (position + 1 >= bytes.Length) return false;
            byte following = bytes[position + 1];
            // 0xFF 0x00 is a stuffed data byte, 0xFF 0xD0-0xD7 a restart marker inside the scan.
            if (following == 0x00 || following is >= 0xD0 and <= 0xD7) position += 2;
            else if (following == Marker) position++;
            else return true;
        }
    }
}
