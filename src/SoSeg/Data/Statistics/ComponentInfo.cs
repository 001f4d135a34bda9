namespace SoSeg.Data.Statistics;

/// <summary>One connected component: its label, pixel count and inclusive bounding box (rows top..bottom, columns left..right).</summary>
public readonly record struct ComponentInfo(int Label, int Area, int Top, int Left, int Bottom, int Right);
