using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SoSeg.Data.Nifti;

/// <summary>
/// Reads NIfTI-1 and NIfTI-2 files: single files (.nii, .nii.gz) and header/image pairs (.hdr + .img,
/// either gzipped), in either byte order. Every problem is a <see cref="SoSegException"/> that names the file.
/// </summary>
public static class NiftiReader
{
    /// <summary>
    /// The most voxels one volume may declare (2^30, e.g. 1024 x 1024 x 1024; 4 GiB as floats). Larger headers
    /// are refused when the header is read, before any voxel buffer is allocated.
    /// </summary>
    public const long MaxVoxels = 1L << 30;

    /// <summary>True when <paramref name="path"/> ends in .nii, .nii.gz, .hdr, .hdr.gz, .img or .img.gz.</summary>
    public static bool IsNiftiPath(string path)
    {
        string lower = path.ToLowerInvariant();
        return lower.EndsWith(".nii") || lower.EndsWith(".nii.gz") || lower.EndsWith(".hdr") || lower.EndsWith(".hdr.gz")
               || lower.EndsWith(".img") || lower.EndsWith(".img.gz");
    }

    /// <summary>Reads the header and all voxels.</summary>
    public static NiftiImage Read(string path)
    {
        var (headerPath, imagePath) = ResolvePair(path);
        using var headerStream = Open(headerPath);
        var (header, consumed) = ReadHeader(headerStream, headerPath);
        if (imagePath is null && !header.SingleFile)
            throw new SoSegException($"{path}: the .img voxel file of this NIfTI pair is missing (expected {PairStem(headerPath)}.img).");
        int bytesPerVoxel = NiftiDataTypes.BytesPerVoxel(header.DataType);
        long byteCount = header.VoxelCount * bytesPerVoxel;
        if (byteCount > Array.MaxLength)
            throw new SoSegException($"{path}: {header.VoxelCount} voxels ({byteCount} bytes) are too many to load at once.");

        var data = new byte[byteCount];
        if (imagePath is null)
        {
            Skip(headerStream, header.VoxOffset - consumed, headerPath, header.VoxOffset);
            Fill(headerStream, data, headerPath, header.VoxOffset);
        }
        else
        {
            using var imageStream = Open(imagePath);
            Skip(imageStream, header.VoxOffset, imagePath, header.VoxOffset);
            Fill(imageStream, data, imagePath, header.VoxOffset);
        }
        if (header.BigEndian) SwapBytes(data, bytesPerVoxel);
        header.BigEndian = false;
        return new NiftiImage(header, data, path);
    }

    /// <summary>Reads only the header (and extensions); cheap even for a large .nii.gz, which is decompressed only that far.</summary>
    public static NiftiHeader ReadHeader(string path)
    {
        var (headerPath, _) = ResolvePair(path);
        using var stream = Open(headerPath);
        return ReadHeader(stream, headerPath).Header;
    }

    /// <summary>The header file and, for a pair, the image file of <paramref name="path"/> (null when absent or for a single file).</summary>
    static (string Header, string? Image) ResolvePair(string path)
    {
        if (!File.Exists(path)) throw new SoSegException($"{path}: file not found.");
        string lower = path.ToLowerInvariant();
        string? stem = null;
        bool headerGiven = false;
        foreach (string ending in (string[])[".hdr.gz", ".hdr"])
            if (lower.EndsWith(ending)) { stem = path[..^ending.Length]; headerGiven = true; break; }
        if (stem is null)
            foreach (string ending in (string[])[".img.gz", ".img"])
                if (lower.EndsWith(ending)) { stem = path[..^ending.Length]; break; }
        if (stem is null) return (path, null);

        string? header = headerGiven ? path : FirstExisting(stem + ".hdr", stem + ".hdr.gz", stem + ".HDR");
        string? image = headerGiven ? FirstExisting(stem + ".img", stem + ".img.gz", stem + ".IMG") : path;
        if (header is null) throw new SoSegException($"{path}: the .hdr header of this NIfTI pair is missing (expected {stem}.hdr).");
        return (header, image);
    }

    static string PairStem(string headerPath) =>
        headerPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? headerPath[..^7] : headerPath[..^4];

    static string? FirstExisting(params string[] candidates) => candidates.FirstOrDefault(File.Exists);

    static Stream Open(string path)
    {
        Stream file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return file;
        var magic = new byte[2];
        int read = file.Read(magic, 0, 2);
        file.Position = 0;
        if (read < 2 || magic[0] != 0x1f || magic[1] != 0x8b)
        {
            file.Dispose();
            throw new SoSegException($"{path}: not a gzip file although it ends in .gz (a renamed .nii?).");
        }
        return new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16);
    }

    /// <summary>Reads header, extension flag and extensions; returns the header and the bytes consumed.</summary>
    static (NiftiHeader Header, long Consumed) ReadHeader(Stream stream, string path)
    {
        var first = new byte[4];
        int got = ReadAtMost(stream, first, path);
        if (got < 4) throw new SoSegException($"{path}: not a NIfTI file (only {got} bytes).");
        int little = BinaryPrimitives.ReadInt32LittleEndian(first);
        int big = BinaryPrimitives.ReadInt32BigEndian(first);
        bool bigEndian;
        int size;
        if (little is NiftiHeader.Nifti1HeaderSize or NiftiHeader.Nifti2HeaderSize) { bigEndian = false; size = little; }
        else if (big is NiftiHeader.Nifti1HeaderSize or NiftiHeader.Nifti2HeaderSize) { bigEndian = true; size = big; }
        else throw new SoSegException($"{path}: not a NIfTI file (sizeof_hdr is {little}, expected 348 for NIfTI-1 or 540 for NIfTI-2).");

        var bytes = new byte[size];
        first.CopyTo(bytes, 0);
        int rest = ReadAtMost(stream, bytes.AsSpan(4), path);
        if (rest < size - 4) throw SoSegException.Unreadable($"{path}: truncated NIfTI header ({rest + 4} of {size} bytes).", truncated: true);

        var header = size == NiftiHeader.Nifti1HeaderSize ? ParseNifti1(bytes, bigEndian, path) : ParseNifti2(bytes, bigEndian, path);
        Validate(header, path);
        var (extensions, consumed) = ReadExtensions(stream, header, path);
        header.Extensions = extensions;
        return (header, size + consumed);
    }

    static NiftiHeader ParseNifti1(byte[] b, bool bigEndian, string path)
    {
        var r = new FieldReader(b, bigEndian);
        string magic = Encoding.ASCII.GetString(b, 344, 3);
        if (magic is not ("n+1" or "ni1") || b[347] != 0)
        {
            if (b[344] == 0) throw new SoSegException($"{path}: an Analyze 7.5 header without the NIfTI magic; SoSeg reads NIfTI-1/NIfTI-2 only.");
            throw new SoSegException($"{path}: not a NIfTI file (bad magic \"{Printable(b, 344, 4)}\" for a 348-byte header).");
        }
        var h = new NiftiHeader
        {
            Version = 1,
            BigEndian = bigEndian,
            SingleFile = magic == "n+1",
            DimInfo = b[39],
            Dim = Enumerable.Range(0, 8).Select(i => (long)r.Int16(40 + 2 * i)).ToArray(),
            IntentP1 = r.Float32(56),
            IntentP2 = r.Float32(60),
            IntentP3 = r.Float32(64),
            IntentCode = r.Int16(68),
            DataType = (NiftiDataType)r.Int16(70),
            BitPix = r.Int16(72),
            SliceStart = r.Int16(74),
            PixDim = Enumerable.Range(0, 8).Select(i => (double)r.Float32(76 + 4 * i)).ToArray(),
            VoxOffset = (long)r.Float32(108),
            SclSlope = r.Float32(112),
            SclInter = r.Float32(116),
            SliceEnd = r.Int16(120),
            SliceCode = b[122],
            XyztUnits = b[123],
            CalMax = r.Float32(124),
            CalMin = r.Float32(128),
            SliceDuration = r.Float32(132),
            TOffset = r.Float32(136),
            Description = Text(b, 148, 80),
            AuxFile = Text(b, 228, 24),
            QFormCode = r.Int16(252),
            SFormCode = r.Int16(254),
            QuaternB = r.Float32(256),
            QuaternC = r.Float32(260),
            QuaternD = r.Float32(264),
            QOffsetX = r.Float32(268),
            QOffsetY = r.Float32(272),
            QOffsetZ = r.Float32(276),
            SRowX = Enumerable.Range(0, 4).Select(i => (double)r.Float32(280 + 4 * i)).ToArray(),
            SRowY = Enumerable.Range(0, 4).Select(i => (double)r.Float32(296 + 4 * i)).ToArray(),
            SRowZ = Enumerable.Range(0, 4).Select(i => (double)r.Float32(312 + 4 * i)).ToArray(),
            IntentName = Text(b, 328, 16),
        };
        if (!Enum.IsDefined(h.DataType))
            throw new SoSegException($"{path}: unsupported NIfTI datatype {NiftiDataTypes.Describe(r.Int16(70))}; SoSeg reads UINT8, INT8, INT16, UINT16, INT32, UINT32, INT64, UINT64, FLOAT32 and FLOAT64.");
        return h;
    }

    static NiftiHeader ParseNifti2(byte[] b, bool bigEndian, string path)
    {
        var r = new FieldReader(b, bigEndian);
        string magic = Encoding.ASCII.GetString(b, 4, 3);
        if (magic is not ("n+2" or "ni2") || b[7] != 0)
            throw new SoSegException($"{path}: not a NIfTI file (bad magic \"{Printable(b, 4, 4)}\" for a 540-byte header).");
        if (b[8] != 0x0D || b[9] != 0x0A || b[10] != 0x1A || b[11] != 0x0A)
            throw new SoSegException($"{path}: NIfTI-2 header damaged by a text-mode transfer (the \\r\\n\\x1a\\n check bytes after the magic are altered).");
        var h = new NiftiHeader
        {
            Version = 2,
            BigEndian = bigEndian,
            SingleFile = magic == "n+2",
            DataType = (NiftiDataType)r.Int16(12),
            BitPix = r.Int16(14),
            Dim = Enumerable.Range(0, 8).Select(i => r.Int64(16 + 8 * i)).ToArray(),
            IntentP1 = r.Float64(80),
            IntentP2 = r.Float64(88),
            IntentP3 = r.Float64(96),
            PixDim = Enumerable.Range(0, 8).Select(i => r.Float64(104 + 8 * i)).ToArray(),
            VoxOffset = r.Int64(168),
            SclSlope = r.Float64(176),
            SclInter = r.Float64(184),
            CalMax = r.Float64(192),
            CalMin = r.Float64(200),
            SliceDuration = r.Float64(208),
            TOffset = r.Float64(216),
            SliceStart = r.Int64(224),
            SliceEnd = r.Int64(232),
            Description = Text(b, 240, 80),
            AuxFile = Text(b, 320, 24),
            QFormCode = r.Int32(344),
            SFormCode = r.Int32(348),
            QuaternB = r.Float64(352),
            QuaternC = r.Float64(360),
            QuaternD = r.Float64(368),
            QOffsetX = r.Float64(376),
            QOffsetY = r.Float64(384),
            QOffsetZ = r.Float64(392),
            SRowX = Enumerable.Range(0, 4).Select(i => r.Float64(400 + 8 * i)).ToArray(),
            SRowY = Enumerable.Range(0, 4).Select(i => r.Float64(432 + 8 * i)).ToArray(),
            SRowZ = Enumerable.Range(0, 4).Select(i => r.Float64(464 + 8 * i)).ToArray(),
            SliceCode = r.Int32(496),
            XyztUnits = r.Int32(500),
            IntentCode = r.Int32(504),
            IntentName = Text(b, 508, 16),
            DimInfo = b[524],
        };
        if (!Enum.IsDefined(h.DataType))
            throw new SoSegException($"{path}: unsupported NIfTI datatype {NiftiDataTypes.Describe(r.Int16(12))}; SoSeg reads UINT8, INT8, INT16, UINT16, INT32, UINT32, INT64, UINT64, FLOAT32 and FLOAT64.");
        return h;
    }

    static void Validate(NiftiHeader h, string path)
    {
        if (h.Dim[0] is < 1 or > 7) throw new SoSegException($"{path}: dim[0] = {h.Dim[0]}; a NIfTI image has 1 to 7 dimensions.");
        for (int i = 1; i <= h.Dim[0]; i++)
            if (h.Dim[i] < 1) throw new SoSegException($"{path}: dim[{i}] = {h.Dim[i]}; every used dimension must be at least 1.");
        // Multiplied in floating point: NIfTI-2 dimensions are 64-bit and their product may not fit a long.
        double voxels = 1;
        for (int i = 1; i <= h.Dim[0]; i++) voxels *= h.Dim[i];
        if (voxels > MaxVoxels)
            throw new SoSegException($"{path}: the header declares {string.Join(" x ", h.Dim.Skip(1).Take((int)h.Dim[0]))} = {voxels:0} voxels, more than the limit of {MaxVoxels:N0} voxels; refused before reading.");
        int minimum = (h.Version == 1 ? NiftiHeader.Nifti1HeaderSize : NiftiHeader.Nifti2HeaderSize) + 4;
        // vox_offset below the header is invalid in a single file; nibabel and ITK read the data right after it.
        if (h.SingleFile && h.VoxOffset < minimum) h.VoxOffset = minimum;
        if (!h.SingleFile && h.VoxOffset < 0) throw new SoSegException($"{path}: vox_offset = {h.VoxOffset} is negative.");
    }

    /// <summary>Reads the 4-byte extension flag and the extensions that follow (up to vox_offset for a single file).</summary>
    static (List<NiftiExtension> Extensions, long Consumed) ReadExtensions(Stream stream, NiftiHeader header, string path)
    {
        var extensions = new List<NiftiExtension>();
        var flag = new byte[4];
        int flagBytes = ReadAtMost(stream, flag, path);
        if (flagBytes < 4 || flag[0] == 0) return (extensions, flagBytes);
        int headerSize = header.Version == 1 ? NiftiHeader.Nifti1HeaderSize : NiftiHeader.Nifti2HeaderSize;
        long position = headerSize + 4;
        long end = header.SingleFile ? header.VoxOffset : long.MaxValue;
        var sizeAndCode = new byte[8];
        while (position + 8 <= end)
        {
            int got = ReadAtMost(stream, sizeAndCode, path);
            if (got == 0 && !header.SingleFile) break;
            if (got < 8) throw SoSegException.Unreadable($"{path}: truncated NIfTI header extension.", truncated: true);
            int esize = header.BigEndian ? BinaryPrimitives.ReadInt32BigEndian(sizeAndCode) : BinaryPrimitives.ReadInt32LittleEndian(sizeAndCode);
            int ecode = header.BigEndian ? BinaryPrimitives.ReadInt32BigEndian(sizeAndCode.AsSpan(4)) : BinaryPrimitives.ReadInt32LittleEndian(sizeAndCode.AsSpan(4));
            if (esize < 8 || position + esize > end)
                throw new SoSegException($"{path}: NIfTI header extension of {esize} bytes does not fit before the voxel data at byte {header.VoxOffset}.");
            var content = new byte[esize - 8];
            if (ReadAtMost(stream, content, path) < content.Length) throw SoSegException.Unreadable($"{path}: truncated NIfTI header extension.", truncated: true);
            // Content is padded with NULs to a multiple of 16 bytes; strip them as nibabel does.
            int length = content.Length;
            while (length > 0 && content[length - 1] == 0) length--;
            extensions.Add(new NiftiExtension(ecode, content[..length]));
            position += esize;
        }
        return (extensions, position - headerSize);
    }

    /// <summary>Bytes the extensions take on disk (each 8 + content, padded to a multiple of 16).</summary>
    internal static long ExtensionBytes(NiftiHeader header) => header.Extensions.Sum(e => (long)PaddedExtensionSize(e));

    internal static int PaddedExtensionSize(NiftiExtension extension) => (extension.Content.Length + 8 + 15) / 16 * 16;

    static void Skip(Stream stream, long count, string path, long voxOffset)
    {
        if (count < 0) throw new SoSegException($"{path}: vox_offset = {voxOffset} points inside the header extensions.");
        var buffer = new byte[Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            int read = stream.Read(buffer, 0, (int)Math.Min(count, buffer.Length));
            if (read == 0) throw SoSegException.Unreadable($"{path}: truncated: the file ends before the voxel data at byte {voxOffset}.", truncated: true);
            count -= read;
        }
    }

    static void Fill(Stream stream, byte[] data, string path, long voxOffset)
    {
        int got = ReadAtMost(stream, data, path);
        if (got < data.Length)
            throw SoSegException.Unreadable($"{path}: truncated: expected {data.Length} bytes of voxel data after byte {voxOffset}, found {got}.", truncated: true);
    }

    static int ReadAtMost(Stream stream, Span<byte> buffer, string path)
    {
        try { return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false); }
        catch (InvalidDataException e) { throw new SoSegException($"{path}: corrupt gzip data ({e.Message}).", e); }
        catch (EndOfStreamException) { throw SoSegException.Unreadable($"{path}: truncated gzip data.", truncated: true); }
    }

    static void SwapBytes(byte[] data, int size)
    {
        if (size == 1) return;
        for (int i = 0; i < data.Length; i += size) data.AsSpan(i, size).Reverse();
    }

    static string Text(byte[] b, int offset, int length)
    {
        int end = Array.IndexOf(b, (byte)0, offset, length);
        return Encoding.Latin1.GetString(b, offset, (end < 0 ? offset + length : end) - offset);
    }

    static string Printable(byte[] b, int offset, int length) =>
        new(b.AsSpan(offset, length).ToArray().Select(c => c is >= 32 and < 127 ? (char)c : '.').ToArray());

    /// <summary>Reads header fields in the file's byte order.</summary>
    readonly struct FieldReader(byte[] bytes, bool bigEndian)
    {
        public short Int16(int at) => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(at));
        public int Int32(int at) => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
        public long Int64(int at) => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at));
        public float Float32(int at) => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at));
        public double Float64(int at) => bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(at));
    }
}
