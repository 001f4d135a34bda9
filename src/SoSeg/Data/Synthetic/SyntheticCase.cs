namespace SoSeg.Data.Synthetic;

/// <summary>
/// One rendered synthetic frame: 8-bit pixels (interleaved when RGB) and a mask of label values
/// as written to labelsTr/labelsTs (the values listed in the dataset's "labels").
/// </summary>
/// <param name="Width">Pixels per row.</param>
/// <param name="Height">Rows.</param>
/// <param name="Channels">1 (grey) or 3 (RGB).</param>
/// <param name="Image">Height x Width x Channels bytes, row-major.</param>
/// <param name="Mask">Height x Width label values, row-major.</param>
public sealed record SyntheticCase(int Width, int Height, int Channels, byte[] Image, byte[] Mask)
{
    /// <summary>Pixels in one channel.</summary>
    public int PixelCount => Width * Height;
}
