namespace SoSeg.Tests.Data.Synthetic;

/// <summary>
/// Connected components of a label mask for the generator tests: 8-connected pixels sharing one non-zero
/// label. (Small on purpose; the library's ConnectedComponents can replace it.)
/// </summary>
internal static class MaskComponents
{
    /// <summary>Label and pixel count of every component.</summary>
    public static List<(byte Label, int Area)> Find(byte[] mask, int width, int height)
    {
        var seen = new bool[mask.Length];
        var components = new List<(byte, int)>();
        var stack = new Stack<int>();
        for (int start = 0; start < mask.Length; start++)
        {
            if (mask[start] == 0 || seen[start]) continue;
            byte label = mask[start];
            int area = 0;
            seen[start] = true;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int i = stack.Pop();
                area++;
                int x = i % width, y = i / width;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
                        int j = ny * width + nx;
                        if (!seen[j] && mask[j] == label) { seen[j] = true; stack.Push(j); }
                    }
            }
            components.Add((label, area));
        }
        return components;
    }
}
