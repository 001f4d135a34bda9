namespace SoSeg.Data.Nifti;

/// <summary>NIfTI datatype codes (nifti1.h, shared by NIfTI-2) that SoSeg reads; other codes are rejected with a clear error.</summary>
public enum NiftiDataType : short
{
    UInt8 = 2,
    Int16 = 4,
    Int32 = 8,
    Float32 = 16,
    Float64 = 64,
    Int8 = 256,
    UInt16 = 512,
    UInt32 = 768,
    Int64 = 1024,
    UInt64 = 1280,
}

/// <summary>Sizes and names of <see cref="NiftiDataType"/> values.</summary>
public static class NiftiDataTypes
{
    /// <summary>Bytes per voxel, or 0 for a code SoSeg does not read.</summary>
    public static int BytesPerVoxel(NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 or NiftiDataType.Int8 => 1,
        NiftiDataType.Int16 or NiftiDataType.UInt16 => 2,
        NiftiDataType.Int32 or NiftiDataType.UInt32 or NiftiDataType.Float32 => 4,
        NiftiDataType.Int64 or NiftiDataType.UInt64 or NiftiDataType.Float64 => 8,
        _ => 0,
    };

    public static bool IsInteger(NiftiDataType type) => type is not (NiftiDataType.Float32 or NiftiDataType.Float64);

    /// <summary>The nifti1.h name of any datatype code, for error messages ("RGB24", "COMPLEX64", ...).</summary>
    public static string Describe(short code) => code switch
    {
        0 => "UNKNOWN (0)",
        1 => "BINARY (1)",
        2 => "UINT8 (2)",
        4 => "INT16 (4)",
        8 => "INT32 (8)",
        16 => "FLOAT32 (16)",
        32 => "COMPLEX64 (32)",
        64 => "FLOAT64 (64)",
        128 => "RGB24 (128)",
        256 => "INT8 (256)",
        512 => "UINT16 (512)",
        768 => "UINT32 (768)",
        1024 => "INT64 (1024)",
        1280 => "UINT64 (1280)",
        1536 => "FLOAT128 (1536)",
        1792 => "COMPLEX128 (1792)",
        2048 => "COMPLEX256 (2048)",
        2304 => "RGBA32 (2304)",
        _ => $"code {code}",
    };
}
