using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SoSeg.Data.Nifti;

/// <summary>
/// A NIfTI volume in memory: its header and its voxels as stored (x fastest, then y, z, t), in the
/// machine's little-endian byte order. Values read through <see cref="ToFloat"/>, <see cref="GetValue(long)"/>
/// and <see cref="ToDouble"/> have scl_slope / scl_inter applied; <see cref="Voxels{T}"/> gives the stored values.
/// </summary>
public sealed class NiftiImage
{
    /// <param name="header">The header; its datatype and dim must match <paramref name="data"/>.</param>
    /// <param name="data">Voxel bytes in little-endian order, exactly VoxelCount * bytes-per-voxel long.</param>
    /// <param name="sourcePath">The file it came from, for error messages (null for an image made in memory).</param>
    public NiftiImage(NiftiHeader header, byte[] data, string? sourcePath = null)
    {
        int size = NiftiDataTypes.BytesPerVoxel(header.DataType);
        if (size == 0) throw new ArgumentException($"Unsupported NIfTI datatype {NiftiDataTypes.Describe((short)header.DataType)}.", nameof(header));
        if (data.LongLength != header.VoxelCount * size)
            throw new ArgumentException($"Voxel data holds {data.LongLength} bytes; the header's dim and datatype need {header.VoxelCount * size}.", nameof(data));
        Header = header;
        Data = data;
        SourcePath = sourcePath;
    }

    public NiftiHeader Header { get; }
    /// <summary>Stored voxel bytes, little-endian, x fastest.</summary>
    public byte[] Data { get; }
    public string? SourcePath { get; }

    /// <summary>Sizes of the used dimensions (x, y, z[, t, ...]).</summary>
    public long[] Shape => Header.Shape;
    public int Rank => Header.Rank;
    public NiftiDataType DataType => Header.DataType;
    /// <summary>The voxel-to-world affine chosen by the NIfTI rules (<see cref="NiftiHeader.Affine"/>).</summary>
    public double[,] Affine => Header.Affine;
    public double[] Spacing => Header.Spacing;
    public long VoxelCount => Header.VoxelCount;

    public int SizeX => (int)Header.SizeOf(0);
    public int SizeY => (int)Header.SizeOf(1);
    public int SizeZ => (int)Header.SizeOf(2);
    /// <summary>Product of dimensions 4..7 (volumes in a 4-D series); 1 for a 3-D image.</summary>
    public int SizeT => (int)(Header.VoxelCount / ((long)SizeX * SizeY * SizeZ));

    /// <summary>The stored values as <typeparamref name="T"/>, which must match the datatype (byte for UINT8, short for INT16, ...).</summary>
    public ReadOnlySpan<T> Voxels<T>() where T : unmanaged
    {
        Type expected = DataType switch
        {
            NiftiDataType.UInt8 => typeof(byte),
            NiftiDataType.Int8 => typeof(sbyte),
            NiftiDataType.Int16 => typeof(short),
            NiftiDataType.UInt16 => typeof(ushort),
            NiftiDataType.Int32 => typeof(int),
            NiftiDataType.UInt32 => typeof(uint),
            NiftiDataType.Int64 => typeof(long),
            NiftiDataType.UInt64 => typeof(ulong),
            NiftiDataType.Float32 => typeof(float),
            _ => typeof(double),
        };
        if (typeof(T) != expected)
            throw new InvalidOperationException($"{Name}: voxels are {DataType}, not {typeof(T).Name}.");
        return MemoryMarshal.Cast<byte, T>(Data);
    }

    /// <summary>The value of voxel <paramref name="index"/> (x fastest) with scaling applied.</summary>
    public double GetValue(long index)
    {
        double raw = RawValue(index);
        return Header.HasScaling ? raw * Header.SclSlope + Header.SclInter : raw;
    }

    /// <summary>The value at (x, y, z, t) with scaling applied.</summary>
    public double GetValue(int x, int y, int z, int t = 0) =>
        GetValue(x + (long)SizeX * (y + (long)SizeY * (z + (long)SizeZ * t)));

    /// <summary>All values as floats with scaling applied.</summary>
    public float[] ToFloat()
    {
        var result = new float[VoxelCount];
        CopyTo(result, 0, VoxelCount);
        return result;
    }

    /// <summary>All values as doubles with scaling applied (exact for 32-bit integers).</summary>
    public double[] ToDouble()
    {
        var result = new double[VoxelCount];
        bool scale = Header.HasScaling;
        double slope = Header.SclSlope, inter = Header.SclInter;
        for (long i = 0; i < result.LongLength; i++)
        {
            double v = RawValue(i);
            result[i] = scale ? v * slope + inter : v;
        }
        return result;
    }

    /// <summary>Copies <paramref name="count"/> scaled values starting at voxel <paramref name="start"/> into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<float> destination, long start, long count)
    {
        if (start < 0 || count < 0 || start + count > VoxelCount) throw new ArgumentOutOfRangeException(nameof(count));
        if (destination.Length < count) throw new ArgumentException("Destination too short.", nameof(destination));
        int n = (int)count;
        int s = (int)start;
        var dst = destination[..n];
        switch (DataType)
        {
            case NiftiDataType.UInt8: Widen(MemoryMarshal.Cast<byte, byte>(Data).Slice(s, n), dst); break;
            case NiftiDataType.Int8: Widen(MemoryMarshal.Cast<byte, sbyte>(Data).Slice(s, n), dst); break;
            case NiftiDataType.Int16: Widen(MemoryMarshal.Cast<byte, short>(Data).Slice(s, n), dst); break;
            case NiftiDataType.UInt16: Widen(MemoryMarshal.Cast<byte, ushort>(Data).Slice(s, n), dst); break;
            case NiftiDataType.Int32: Widen(MemoryMarshal.Cast<byte, int>(Data).Slice(s, n), dst); break;
            case NiftiDataType.UInt32: Widen(MemoryMarshal.Cast<byte, uint>(Data).Slice(s, n), dst); break;
            case NiftiDataType.Int64: Widen(MemoryMarshal.Cast<byte, long>(Data).Slice(s, n), dst); break;
            case NiftiDataType.UInt64: Widen(MemoryMarshal.Cast<byte, ulong>(Data).Slice(s, n), dst); break;
            case NiftiDataType.Float32: MemoryMarshal.Cast<byte, float>(Data).Slice(s, n).CopyTo(dst); break;
            case NiftiDataType.Float64: Widen(MemoryMarshal.Cast<byte, double>(Data).Slice(s, n), dst); break;
        }
        if (Header.HasScaling)
        {
            float slope = (float)Header.SclSlope, inter = (float)Header.SclInter;
            for (int i = 0; i < dst.Length; i++) dst[i] = dst[i] * slope + inter;
        }
    }

    /// <summary>
    /// Throws a <see cref="SoSegException"/> naming the file when a value is NaN or infinite (after scaling);
    /// loaders call this where intensities must be finite.
    /// </summary>
    public void EnsureFinite()
    {
        if (NiftiDataTypes.IsInteger(DataType)) return; // integers are finite, and so are slope and intercept (else unused)
        long bad = 0, first = -1;
        if (DataType == NiftiDataType.Float32)
        {
            var values = Voxels<float>();
            for (int i = 0; i < values.Length; i++)
                if (!float.IsFinite(values[i]) && bad++ == 0) first = i;
        }
        else
        {
            var values = Voxels<double>();
            for (int i = 0; i < values.Length; i++)
                if (!double.IsFinite(values[i]) && bad++ == 0) first = i;
        }
        if (bad == 0) return;
        long x = first % SizeX, y = first / SizeX % SizeY, z = first / ((long)SizeX * SizeY) % SizeZ;
        throw new SoSegException($"{Name}: {bad} voxel(s) are NaN or infinite (first at x={x}, y={y}, z={z}); intensities must be finite.");
    }

    /// <summary>Makes an image from stored values of a given datatype (values are rounded and clamped for integer types).</summary>
    public static NiftiImage Create(ReadOnlySpan<float> values, long[] shape, NiftiDataType dataType, double[,]? affine = null)
    {
        var header = NewHeader(shape, dataType, affine);
        if (values.Length != header.VoxelCount)
            throw new ArgumentException($"{values.Length} values for a {string.Join(" x ", shape)} image.", nameof(values));
        int size = NiftiDataTypes.BytesPerVoxel(dataType);
        var data = new byte[values.Length * size];
        for (int i = 0; i < values.Length; i++) WriteValue(data.AsSpan(i * size, size), dataType, values[i]);
        return new NiftiImage(header, data);
    }

    /// <summary>Makes a UINT8 image (label maps) without conversion.</summary>
    public static NiftiImage Create(byte[] values, long[] shape, double[,]? affine = null)
    {
        var header = NewHeader(shape, NiftiDataType.UInt8, affine);
        if (values.LongLength != header.VoxelCount)
            throw new ArgumentException($"{values.Length} values for a {string.Join(" x ", shape)} image.", nameof(values));
        return new NiftiImage(header, (byte[])values.Clone());
    }

    /// <summary>A header for a new image: dim from <paramref name="shape"/>, sform and qform from the affine (identity when null), code 1 (scanner).</summary>
    public static NiftiHeader NewHeader(long[] shape, NiftiDataType dataType, double[,]? affine)
    {
        if (shape.Length is < 1 or > 7) throw new ArgumentException("A NIfTI image has 1 to 7 dimensions.", nameof(shape));
        if (shape.Any(s => s < 1)) throw new ArgumentException("Every dimension must be at least 1.", nameof(shape));
        var header = new NiftiHeader
        {
            DataType = dataType,
            BitPix = (short)(8 * NiftiDataTypes.BytesPerVoxel(dataType)),
            SclSlope = 1,
            SclInter = 0,
        };
        header.Dim = new long[8];
        header.Dim[0] = shape.Length;
        for (int i = 1; i < 8; i++) header.Dim[i] = i <= shape.Length ? shape[i - 1] : 1;
        header.SetAffine(affine ?? NiftiTransforms.Identity());
        return header;
    }

    string Name => SourcePath ?? "NIfTI image";

    double RawValue(long index)
    {
        int size = NiftiDataTypes.BytesPerVoxel(DataType);
        var bytes = Data.AsSpan((int)(index * size), size);
        return DataType switch
        {
            NiftiDataType.UInt8 => bytes[0],
            NiftiDataType.Int8 => (sbyte)bytes[0],
            NiftiDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
            NiftiDataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
            NiftiDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
            NiftiDataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            NiftiDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(bytes),
            NiftiDataType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            NiftiDataType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(bytes),
            _ => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
        };
    }

    static void WriteValue(Span<byte> destination, NiftiDataType type, float value)
    {
        double v = Math.Round(value, MidpointRounding.AwayFromZero);
        switch (type)
        {
            case NiftiDataType.UInt8: destination[0] = (byte)Math.Clamp(v, byte.MinValue, byte.MaxValue); break;
            case NiftiDataType.Int8: destination[0] = (byte)(sbyte)Math.Clamp(v, sbyte.MinValue, sbyte.MaxValue); break;
            case NiftiDataType.Int16: BinaryPrimitives.WriteInt16LittleEndian(destination, (short)Math.Clamp(v, short.MinValue, short.MaxValue)); break;
            case NiftiDataType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)Math.Clamp(v, ushort.MinValue, ushort.MaxValue)); break;
            case NiftiDataType.Int32: BinaryPrimitives.WriteInt32LittleEndian(destination, (int)Math.Clamp(v, int.MinValue, int.MaxValue)); break;
            case NiftiDataType.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)Math.Clamp(v, uint.MinValue, uint.MaxValue)); break;
            case NiftiDataType.Int64: BinaryPrimitives.WriteInt64LittleEndian(destination, (long)Math.Clamp(v, long.MinValue, long.MaxValue)); break;
            case NiftiDataType.UInt64: BinaryPrimitives.WriteUInt64LittleEndian(destination, (ulong)Math.Clamp(v, 0, ulong.MaxValue)); break;
            case NiftiDataType.Float32: BinaryPrimitives.WriteSingleLittleEndian(destination, value); break;
            case NiftiDataType.Float64: BinaryPrimitives.WriteDoubleLittleEndian(destination, value); break;
        }
    }

    static void Widen<T>(ReadOnlySpan<T> source, Span<float> destination) where T : unmanaged, System.Numerics.INumberBase<T>
    {
        for (int i = 0; i < source.Length; i++) destination[i] = float.CreateTruncating(source[i]);
    }
}
