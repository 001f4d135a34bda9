using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SoSeg.IO;

namespace SoSeg.Data.Nifti;

/// <summary>
/// Writes NIfTI-1 or NIfTI-2 files, little-endian: a single file (.nii, or .nii.gz through GZipStream) or a
/// .hdr/.img pair, chosen by the path's ending. Files are written atomically; extensions are kept.
/// </summary>
public static class NiftiWriter
{
    /// <summary>
    /// Writes <paramref name="image"/> to <paramref name="path"/> as NIfTI-<paramref name="version"/>
    /// (default: the version of the image's header). The header's fields are kept except dim, datatype,
    /// bitpix and vox_offset, which follow the data, and the magic, which follows the file kind.
    /// </summary>
    public static void Write(string path, NiftiImage image, int? version = null)
    {
        int v = version ?? image.Header.Version;
        if (v is not (1 or 2)) throw new ArgumentException("NIfTI version must be 1 or 2.", nameof(version));
        string lower = path.ToLowerInvariant();
        if (!NiftiReader.IsNiftiPath(path))
            throw new SoSegException($"{path}: a NIfTI file name must end in .nii, .nii.gz, .hdr or .img.");
        bool pair = !lower.EndsWith(".nii") && !lower.EndsWith(".nii.gz");
        if (v == 1)
            for (int i = 1; i <= image.Header.Rank; i++)
                if (image.Header.Dim[i] > short.MaxValue)
                    throw new SoSegException($"{path}: dimension {i} has {image.Header.Dim[i]} voxels, more than NIfTI-1 can hold; write NIfTI-2.");

        var header = image.Header.Clone();
        header.Version = v;
        header.SingleFile = !pair;
        header.BitPix = (short)(8 * NiftiDataTypes.BytesPerVoxel(header.DataType));
        int headerSize = v == 1 ? NiftiHeader.Nifti1HeaderSize : NiftiHeader.Nifti2HeaderSize;
        header.VoxOffset = pair ? 0 : headerSize + 4 + NiftiReader.ExtensionBytes(header);
        byte[] headerBytes = Encode(header);

        if (!pair)
        {
            AtomicFile.Write(path, stream => WriteMaybeCompressed(stream, lower.EndsWith(".gz"), s =>
            {
                s.Write(headerBytes);
                WriteExtensions(s, header);
                s.Write(image.Data);
            }));
            return;
        }

        string stem = lower.EndsWith(".gz") ? path[..^7] : path[..^4];
        bool compressed = lower.EndsWith(".gz");
        string headerPath = stem + (compressed ? ".hdr.gz" : ".hdr");
        string imagePath = stem + (compressed ? ".img.gz" : ".img");
        AtomicFile.Write(headerPath, stream => WriteMaybeCompressed(stream, compressed, s =>
        {
            s.Write(headerBytes);
            WriteExtensions(s, header);
        }));
        AtomicFile.Write(imagePath, stream => WriteMaybeCompressed(stream, compressed, s => s.Write(image.Data)));
    }

    /// <summary>The 348- or 540-byte header block, little-endian.</summary>
    public static byte[] Encode(NiftiHeader h)
    {
        return h.Version == 1 ? EncodeNifti1(h) : EncodeNifti2(h);
    }

    static byte[] EncodeNifti1(NiftiHeader h)
    {
        var b = new byte[NiftiHeader.Nifti1HeaderSize];
        var s = b.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(s, NiftiHeader.Nifti1HeaderSize);
        b[38] = (byte)'r'; // "regular", as FSL and nibabel write
        b[39] = h.DimInfo;
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteInt16LittleEndian(s[(40 + 2 * i)..], (short)h.Dim[i]);
        BinaryPrimitives.WriteSingleLittleEndian(s[56..], (float)h.IntentP1);
        BinaryPrimitives.WriteSingleLittleEndian(s[60..], (float)h.IntentP2);
        BinaryPrimitives.WriteSingleLittleEndian(s[64..], (float)h.IntentP3);
        BinaryPrimitives.WriteInt16LittleEndian(s[68..], (short)h.IntentCode);
        BinaryPrimitives.WriteInt16LittleEndian(s[70..], (short)h.DataType);
        BinaryPrimitives.WriteInt16LittleEndian(s[72..], h.BitPix);
        BinaryPrimitives.WriteInt16LittleEndian(s[74..], (short)h.SliceStart);
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteSingleLittleEndian(s[(76 + 4 * i)..], (float)h.PixDim[i]);
        BinaryPrimitives.WriteSingleLittleEndian(s[108..], h.VoxOffset);
        BinaryPrimitives.WriteSingleLittleEndian(s[112..], (float)h.SclSlope);
        BinaryPrimitives.WriteSingleLittleEndian(s[116..], (float)h.SclInter);
        BinaryPrimitives.WriteInt16LittleEndian(s[120..], (short)h.SliceEnd);
        b[122] = (byte)h.SliceCode;
        b[123] = (byte)h.XyztUnits;
        BinaryPrimitives.WriteSingleLittleEndian(s[124..], (float)h.CalMax);
        BinaryPrimitives.WriteSingleLittleEndian(s[128..], (float)h.CalMin);
        BinaryPrimitives.WriteSingleLittleEndian(s[132..], (float)h.SliceDuration);
        BinaryPrimitives.WriteSingleLittleEndian(s[136..], (float)h.TOffset);
        WriteText(s.Slice(148, 80), h.Description);
        WriteText(s.Slice(228, 24), h.AuxFile);
        BinaryPrimitives.WriteInt16LittleEndian(s[252..], (short)h.QFormCode);
        BinaryPrimitives.WriteInt16LittleEndian(s[254..], (short)h.SFormCode);
        BinaryPrimitives.WriteSingleLittleEndian(s[256..], (float)h.QuaternB);
        BinaryPrimitives.WriteSingleLittleEndian(s[260..], (float)h.QuaternC);
        BinaryPrimitives.WriteSingleLittleEndian(s[264..], (float)h.QuaternD);
        BinaryPrimitives.WriteSingleLittleEndian(s[268..], (float)h.QOffsetX);
        BinaryPrimitives.WriteSingleLittleEndian(s[272..], (float)h.QOffsetY);
        BinaryPrimitives.WriteSingleLittleEndian(s[276..], (float)h.QOffsetZ);
        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(s[(280 + 4 * i)..], (float)h.SRowX[i]);
            BinaryPrimitives.WriteSingleLittleEndian(s[(296 + 4 * i)..], (float)h.SRowY[i]);
            BinaryPrimitives.WriteSingleLittleEndian(s[(312 + 4 * i)..], (float)h.SRowZ[i]);
        }
        WriteText(s.Slice(328, 16), h.IntentName);
        Encoding.ASCII.GetBytes(h.SingleFile ? "n+1" : "ni1").CopyTo(s[344..]);
        return b;
    }

    static byte[] EncodeNifti2(NiftiHeader h)
    {
        var b = new byte[NiftiHeader.Nifti2HeaderSize];
        var s = b.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(s, NiftiHeader.Nifti2HeaderSize);
        Encoding.ASCII.GetBytes(h.SingleFile ? "n+2" : "ni2").CopyTo(s[4..]);
        b[8] = 0x0D;
        b[9] = 0x0A;
        b[10] = 0x1A;
        b[11] = 0x0A;
        BinaryPrimitives.WriteInt16LittleEndian(s[12..], (short)h.DataType);
        BinaryPrimitives.WriteInt16LittleEndian(s[14..], h.BitPix);
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteInt64LittleEndian(s[(16 + 8 * i)..], h.Dim[i]);
        BinaryPrimitives.WriteDoubleLittleEndian(s[80..], h.IntentP1);
        BinaryPrimitives.WriteDoubleLittleEndian(s[88..], h.IntentP2);
        BinaryPrimitives.WriteDoubleLittleEndian(s[96..], h.IntentP3);
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteDoubleLittleEndian(s[(104 + 8 * i)..], h.PixDim[i]);
        BinaryPrimitives.WriteInt64LittleEndian(s[168..], h.VoxOffset);
        BinaryPrimitives.WriteDoubleLittleEndian(s[176..], h.SclSlope);
        BinaryPrimitives.WriteDoubleLittleEndian(s[184..], h.SclInter);
        BinaryPrimitives.WriteDoubleLittleEndian(s[192..], h.CalMax);
        BinaryPrimitives.WriteDoubleLittleEndian(s[200..], h.CalMin);
        BinaryPrimitives.WriteDoubleLittleEndian(s[208..], h.SliceDuration);
        BinaryPrimitives.WriteDoubleLittleEndian(s[216..], h.TOffset);
        BinaryPrimitives.WriteInt64LittleEndian(s[224..], h.SliceStart);
        BinaryPrimitives.WriteInt64LittleEndian(s[232..], h.SliceEnd);
        WriteText(s.Slice(240, 80), h.Description);
        WriteText(s.Slice(320, 24), h.AuxFile);
        BinaryPrimitives.WriteInt32LittleEndian(s[344..], h.QFormCode);
        BinaryPrimitives.WriteInt32LittleEndian(s[348..], h.SFormCode);
        BinaryPrimitives.WriteDoubleLittleEndian(s[352..], h.QuaternB);
        BinaryPrimitives.WriteDoubleLittleEndian(s[360..], h.QuaternC);
        BinaryPrimitives.WriteDoubleLittleEndian(s[368..], h.QuaternD);
        BinaryPrimitives.WriteDoubleLittleEndian(s[376..], h.QOffsetX);
        BinaryPrimitives.WriteDoubleLittleEndian(s[384..], h.QOffsetY);
        BinaryPrimitives.WriteDoubleLittleEndian(s[392..], h.QOffsetZ);
        for (int i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(s[(400 + 8 * i)..], h.SRowX[i]);
            BinaryPrimitives.WriteDoubleLittleEndian(s[(432 + 8 * i)..], h.SRowY[i]);
            BinaryPrimitives.WriteDoubleLittleEndian(s[(464 + 8 * i)..], h.SRowZ[i]);
        }
        BinaryPrimitives.WriteInt32LittleEndian(s[496..], h.SliceCode);
        BinaryPrimitives.WriteInt32LittleEndian(s[500..], h.XyztUnits);
        BinaryPrimitives.WriteInt32LittleEndian(s[504..], h.IntentCode);
        WriteText(s.Slice(508, 16), h.IntentName);
        b[524] = h.DimInfo;
        return b;
    }

    static void WriteExtensions(Stream s, NiftiHeader header)
    {
        var flag = new byte[4];
        flag[0] = (byte)(header.Extensions.Count > 0 ? 1 : 0);
        s.Write(flag);
        foreach (var extension in header.Extensions)
        {
            int size = NiftiReader.PaddedExtensionSize(extension);
            var block = new byte[size];
            BinaryPrimitives.WriteInt32LittleEndian(block, size);
            BinaryPrimitives.WriteInt32LittleEndian(block.AsSpan(4), extension.Code);
            extension.Content.CopyTo(block, 8);
            s.Write(block);
        }
    }

    static void WriteMaybeCompressed(Stream target, bool compress, Action<Stream> write)
    {
        if (!compress)
        {
            write(target);
            return;
        }
        using var gzip = new GZipStream(target, CompressionLevel.Optimal, leaveOpen: true);
        using var buffered = new BufferedStream(gzip, 1 << 16);
        write(buffered);
    }

    static void WriteText(Span<byte> field, string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        // Keep one NUL at the end so C readers see a terminated string.
        bytes.AsSpan(0, Math.Min(bytes.Length, field.Length - 1)).CopyTo(field);
    }
}
