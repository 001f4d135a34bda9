using System.Buffers.Binary;
using System.IO.Compression;
using SoSeg.Data.Images;
using SoSeg.Data.Nifti;

namespace SoSeg.Tests.Data.Datasets;

/// <summary>Small images, masks and volumes for dataset tests, written the way the real datasets store them.</summary>
internal static class TestFiles
{
    /// <summary>A grey image with a gradient (value = (x + 2y) mod 256).</summary>
    public static byte[] GreyPixels(int height, int width)
    {
        var pixels = new byte[height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) pixels[y * width + x] = (byte)((x + 2 * y) % 256);
        return pixels;
    }

    public static void Grey(string path, int height, int width) => ImageWriter.WriteGrey(path, GreyPixels(height, width), height, width);

    public static void Rgb(string path, int height, int width)
    {
        var rgb = new byte[height * width * 3];
        for (int i = 0; i < height * width; i++)
        {
            rgb[3 * i] = (byte)(i % 200);
            rgb[3 * i + 1] = (byte)(100 + i % 50);
            rgb[3 * i + 2] = (byte)(255 - i % 100);
        }
        ImageWriter.WriteRgb(path, rgb, height, width);
    }

    /// <summary>A mask with a filled rectangle of <paramref name="value"/> (rows y0..y1-1, columns x0..x1-1).</summary>
    public static byte[] Rectangle(int height, int width, int y0, int y1, int x0, int x1, byte value, byte[]? into = null)
    {
        var mask = into ?? new byte[height * width];
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++) mask[y * width + x] = value;
        return mask;
    }

    /// <summary>Writes an 8-bit indexed (palette) PNG by hand: Skia cannot encode palettes.</summary>
    public static void IndexedPng(string path, byte[] indices, int height, int width, byte[][] palette)
    {
        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 3; // palette
        Chunk(file, "IHDR", ihdr);
        Chunk(file, "PLTE", palette.SelectMany(c => c).ToArray());
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            for (int y = 0; y < height; y++)
            {
                zlib.WriteByte(0); // filter: none
                zlib.Write(indices, y * width, width);
            }
        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", []);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, file.ToArray());
    }

    /// <summary>
    /// A grey PNG whose header declares <paramref name="width"/> x <paramref name="height"/> pixels but whose
    /// data holds only a few rows' worth: a header that lies about its size, as a hostile or damaged file does.
    /// </summary>
    public static string HeaderOnlyPng(string path, int width, int height)
    {
        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth; colour type 0 (grey)
        Chunk(file, "IHDR", ihdr);
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true)) zlib.Write(new byte[1000]);
        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", []);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, file.ToArray());
        return path;
    }

    static void Chunk(Stream stream, string type, byte[] data)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(header, 4);
        stream.Write(header);
        stream.Write(data);
        var crcInput = header[4..].Concat(data).ToArray();
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(crcInput));
        stream.Write(crc);
    }

    static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>An axial affine with 0.8 mm pixels and 3 mm slices, x flipped as scanners write it.</summary>
    public static double[,] AxialAffine => new double[,] { { -0.8, 0, 0, 60 }, { 0, 0.8, 0, -40 }, { 0, 0, 3, -20 }, { 0, 0, 0, 1 } };

    /// <summary>Writes a volume of floats (x fastest) as INT16 NIfTI.</summary>
    public static void Volume(string path, float[] values, int nx, int ny, int nz, double[,]? affine = null, NiftiDataType type = NiftiDataType.Int16)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NiftiWriter.Write(path, NiftiImage.Create(values, [nx, ny, nz], type, affine ?? AxialAffine));
    }

    /// <summary>Writes a UINT8 label volume.</summary>
    public static void Labels(string path, byte[] values, int nx, int ny, int nz, double[,]? affine = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NiftiWriter.Write(path, NiftiImage.Create(values, [nx, ny, nz], affine ?? AxialAffine));
    }

    /// <summary>Intensities 100 + x + 10 y + 100 z with one bright outlier voxel (clipped by the 99.5th percentile).</summary>
    public static float[] Ramp(int nx, int ny, int nz)
    {
        var values = new float[nx * ny * nz];
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++) values[x + nx * (y + ny * z)] = 100 + x + 10 * y + 100 * z;
        values[0] = 30000;
        return values;
    }

    /// <summary>Labels: liver (1) box in slices 1..nz-2, tumour (2) voxel block inside it in slice 2.</summary>
    public static byte[] LiverLabels(int nx, int ny, int nz)
    {
        var labels = new byte[nx * ny * nz];
        for (int z = 1; z < nz - 1; z++)
            for (int y = 2; y < ny - 2; y++)
                for (int x = 2; x < nx - 2; x++) labels[x + nx * (y + ny * z)] = 1;
        for (int y = 3; y < 5; y++)
            for (int x = 3; x < 5; x++) labels[x + nx * (y + ny * 2)] = 2;
        return labels;
    }

    /// <summary>An ATLAS-named training folder: imagesTr/imN.nii.gz (float ramps) and labelsTr/lbN.nii.gz (<see cref="LiverLabels"/>).</summary>
    public static void AtlasVolumes(string folder, int count, int nx, int ny, int nz)
    {
        for (int n = 0; n < count; n++)
        {
            Volume(Path.Combine(folder, "imagesTr", $"im{n}.nii.gz"), Ramp(nx, ny, nz), nx, ny, nz, type: NiftiDataType.Float32);
            Labels(Path.Combine(folder, "labelsTr", $"lb{n}.nii.gz"), LiverLabels(nx, ny, nz), nx, ny, nz);
        }
    }

    public static void Json(string path, string json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json);
    }
}
