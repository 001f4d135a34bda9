using SoSeg.Data.Statistics;

namespace SoSeg.Tests.Data.Synthetic;

/// <summary>Connected components (8-connected, one label each) of a generated mask, through the library's labeller.</summary>
internal static class MaskComponents
{
    /// <summary>Label and pixel count of every component.</summary>
    public static List<(byte Label, int Area)> Find(byte[] mask, int width, int height) =>
        mask.Where(v => v != 0).Distinct().OrderBy(v => v)
            .SelectMany(label => ConnectedComponents.Label(mask, height, width, label).Components.Select(c => (label, (int)c.Area)))
            .ToList();
}
