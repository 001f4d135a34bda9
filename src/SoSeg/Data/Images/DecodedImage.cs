namespace SoSeg.Data.Images;

/// <summary>A decoded 2-D image: <paramref name="Data"/> holds Channels x Height x Width floats in [0, 1], channel-major.</summary>
public sealed record DecodedImage(int Channels, int Height, int Width, float[] Data)
{
    public int PixelCount => Height * Width;
}
