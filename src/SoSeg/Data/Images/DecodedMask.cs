namespace SoSeg.Data.Images;

/// <summary>A decoded mask: Height x Width label values as stored in the file (before mapping to class indices).</summary>
public sealed record DecodedMask(int Height, int Width, byte[] Values);
