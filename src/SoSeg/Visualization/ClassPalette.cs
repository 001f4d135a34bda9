namespace SoSeg.Visualization;

/// <summary>Colours for classes in overlays: index 0 (background) is never drawn.</summary>
public static class ClassPalette
{
    static readonly (byte R, byte G, byte B)[] Colours =
    [
        (0, 0, 0), (0, 230, 64), (255, 48, 48), (40, 140, 255), (255, 200, 0), (230, 60, 230), (0, 220, 220), (255, 130, 0),
    ];

    /// <summary>The colour of a class index (cycles after the eighth class).</summary>
    public static (byte R, byte G, byte B) Of(int classIndex) =>
        classIndex <= 0 ? Colours[0] : Colours[1 + (classIndex - 1) % (Colours.Length - 1)];

    /// <summary>CSS colour for HTML legends.</summary>
    public static string Css(int classIndex)
    {
        var (r, g, b) = Of(classIndex);
        return $"rgb({r},{g},{b})";
    }
}
