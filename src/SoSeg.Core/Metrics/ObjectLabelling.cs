using System.Buffers;

namespace SoSeg.Metrics;

/// <summary>
/// Connected-component labelling for the object-level metrics: 8-connectivity, one class per component.
/// Kept behind this single method so it can be replaced by the shared
/// <c>SoSeg.Data.Statistics.ConnectedComponents</c> without touching the callers.
/// </summary>
internal static class ObjectLabelling
{
    /// <summary>
    /// Labels 8-connected components of equal class value. Pixels of class 0 (background) and 255 (ignore)
    /// belong to no component and get label 0; components get labels 1..n in raster order of their first
    /// pixel. Two-pass union-find: linear in the pixel count, no allocation beyond two pooled arrays.
    /// </summary>
    /// <returns>The number of components n.</returns>
    internal static int Label(ReadOnlySpan<byte> classMap, int height, int width, Span<int> labels)
    {
        int pixels = height * width;
        if (classMap.Length != pixels || labels.Length != pixels)
            throw new ArgumentException($"Class map ({classMap.Length}) and labels ({labels.Length}) must both hold {height} x {width} = {pixels} pixels.");
        // Provisional labels never exceed the pixel count; index 0 is unused.
        int[] parent = ArrayPool<int>.Shared.Rent(pixels + 1);
        try
        {
            int next = 1;
            for (int y = 0; y < height; y++)
            {
                int row = y * width;
                for (int x = 0; x < width; x++)
                {
                    int i = row + x;
                    byte c = classMap[i];
                    if (c == 0 || c == 255) { labels[i] = 0; continue; }
                    int label = 0;
                    // Already visited neighbours: west, north-west, north, north-east.
                    if (x > 0 && classMap[i - 1] == c) label = Join(parent, label, labels[i - 1]);
                    if (y > 0)
                    {
                        int up = i - width;
                        if (x > 0 && classMap[up - 1] == c) label = Join(parent, label, labels[up - 1]);
                        if (classMap[up] == c) label = Join(parent, label, labels[up]);
                        if (x + 1 < width && classMap[up + 1] == c) label = Join(parent, label, labels[up + 1]);
                    }
                    if (label == 0) { label = next++; parent[label] = label; }
                    labels[i] = label;
                }
            }

            // Second pass: roots -> consecutive final labels (reuse the parent slots of roots as the map).
            int[] final = ArrayPool<int>.Shared.Rent(next);
            try
            {
                int count = 0;
                for (int l = 1; l < next; l++)
                {
                    int root = Find(parent, l);
                    if (root == l) final[l] = ++count;
                }
                for (int i = 0; i < pixels; i++)
                    if (labels[i] != 0) labels[i] = final[Find(parent, labels[i])];
                return count;
            }
            finally { ArrayPool<int>.Shared.Return(final); }
        }
        finally { ArrayPool<int>.Shared.Return(parent); }
    }

    /// <summary>Merges the sets of the current label (0 = none yet) and a neighbour's; returns the smaller root.</summary>
    private static int Join(int[] parent, int current, int neighbour)
    {
        int b = Find(parent, neighbour);
        if (current == 0) return b;
        int a = Find(parent, current);
        if (a == b) return a;
        if (a < b) { parent[b] = a; return a; }
        parent[a] = b;
        return b;
    }

    private static int Find(int[] parent, int label)
    {
        int root = label;
        while (parent[root] != root) root = parent[root];
        while (parent[label] != root) { int up = parent[label]; parent[label] = root; label = up; }
        return root;
    }
}
