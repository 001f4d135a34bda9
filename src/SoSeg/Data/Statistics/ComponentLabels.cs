namespace SoSeg.Data.Statistics;

/// <summary>The components of one class in a mask: per-pixel labels (0 = not the class) and per-component facts.</summary>
public sealed class ComponentLabels
{
    ComponentLabels(int[] labels, int height, int width, ComponentInfo[] components)
    {
        Labels = labels;
        Height = height;
        Width = width;
        Components = components;
    }

    /// <summary>Height x Width labels: 0 outside the class, 1..Count inside.</summary>
    public int[] Labels { get; }
    public int Height { get; }
    public int Width { get; }
    /// <summary>Component k is Components[k - 1].</summary>
    public IReadOnlyList<ComponentInfo> Components { get; }
    public int Count => Components.Count;

    /// <summary>Area ratio of component <paramref name="label"/> (its pixels over the image's pixels).</summary>
    public double AreaRatio(int label) => (double)Components[label - 1].Area / (Height * Width);

    internal static ComponentLabels From(int[] labels, int height, int width, int count)
    {
        var area = new int[count + 1];
        var top = new int[count + 1];
        var left = new int[count + 1];
        var bottom = new int[count + 1];
        var right = new int[count + 1];
        Array.Fill(top, int.MaxValue);
        Array.Fill(left, int.MaxValue);
        Array.Fill(bottom, -1);
        Array.Fill(right, -1);
        for (int y = 0, p = 0; y < height; y++)
            for (int x = 0; x < width; x++, p++)
            {
                int k = labels[p];
                if (k == 0) continue;
                area[k]++;
                if (y < top[k]) top[k] = y;
                if (y > bottom[k]) bottom[k] = y;
                if (x < left[k]) left[k] = x;
                if (x > right[k]) right[k] = x;
            }
        var components = new ComponentInfo[count];
        for (int k = 1; k <= count; k++) components[k - 1] = new ComponentInfo(k, area[k], top[k], left[k], bottom[k], right[k]);
        return new ComponentLabels(labels, height, width, components);
    }
}
