namespace SoSeg.Data.Statistics;

/// <summary>
/// Connected-component labelling of one class in a 2-D mask, by the classic two-pass algorithm with a
/// union-find forest: pass one gives provisional labels and records which touch, pass two replaces each by
/// its root. 8-connectivity by default (diagonal neighbours join, as an object is counted in Table I);
/// 4-connectivity on request. Components are numbered 1..n in raster order of their first pixel.
/// </summary>
public static class ConnectedComponents
{
    /// <summary>Labels the pixels of class <paramref name="cls"/>; returns the components with areas and bounding boxes.</summary>
    public static ComponentLabels Label(byte[] mask, int height, int width, byte cls, bool eightConnected = true)
    {
        var labels = new int[height * width];
        int count = Label(mask, height, width, cls, labels, eightConnected);
        return ComponentLabels.From(labels, height, width, count);
    }

    /// <summary>
    /// Writes labels 1..n for the pixels of class <paramref name="cls"/> (0 elsewhere) into <paramref name="labels"/>
    /// and returns n. Allocates only the union-find forest (at most one entry per two pixels).
    /// </summary>
    public static int Label(ReadOnlySpan<byte> mask, int height, int width, byte cls, Span<int> labels, bool eightConnected = true) =>
        LabelCore(mask, height, width, cls, labels, eightConnected);

    /// <summary>
    /// Labels the components of every class at once, as the object-level metrics need: pixels of equal value
    /// 1..254 that touch are one component; 0 (background) and 255 (ignore) get label 0. Labels 1..n follow the
    /// raster order of each component's first pixel; returns n.
    /// </summary>
    public static int LabelAllClasses(ReadOnlySpan<byte> mask, int height, int width, Span<int> labels, bool eightConnected = true) =>
        LabelCore(mask, height, width, null, labels, eightConnected);

    static int LabelCore(ReadOnlySpan<byte> mask, int height, int width, byte? onlyClass, Span<int> labels, bool eightConnected)
    {
        if (height <= 0 || width <= 0) throw new ArgumentException($"Mask size {height} x {width} is empty.");
        if (mask.Length != height * width) throw new ArgumentException($"Mask holds {mask.Length} values, not {height} x {width}.", nameof(mask));
        if (labels.Length < mask.Length) throw new ArgumentException("The label buffer is smaller than the mask.", nameof(labels));

        // parent[0] is unused; provisional labels start at 1. A provisional label is made only where no
        // earlier neighbour is labelled: at most ceil(w/2) * ceil(h/2) of them with 8-connectivity (a grid of
        // isolated pixels), ceil(w*h/2) with 4-connectivity (a checkerboard).
        // With several classes, four classes can tile the plane so that no two neighbours match: every pixel
        // may start a label.
        int most = onlyClass is null ? width * height
            : eightConnected ? ((width + 1) / 2) * ((height + 1) / 2) : (width * height + 1) / 2;
        var parent = new int[most + 2];
        int next = 1;
        for (int y = 0; y < height; y++)
        {
            int row = y * width;
            for (int x = 0; x < width; x++)
            {
                int p = row + x;
                byte value = mask[p];
                if (onlyClass is { } cls ? value != cls : value is 0 or 255)
                {
                    labels[p] = 0;
                    continue;
                }
                // A labelled neighbour of the same value belongs to the same component.
                int label = 0;
                if (x > 0 && mask[p - 1] == value) label = labels[p - 1];
                if (y > 0)
                {
                    int up = p - width;
                    if (mask[up] == value) label = Join(parent, label, labels[up]);
                    if (eightConnected)
                    {
                        if (x > 0 && mask[up - 1] == value) label = Join(parent, label, labels[up - 1]);
                        if (x + 1 < width && mask[up + 1] == value) label = Join(parent, label, labels[up + 1]);
                    }
                }
                if (label == 0)
                {
                    label = next++;
                    parent[label] = label;
                }
                labels[p] = label;
            }
        }

        // Compact roots to 1..n in order of first appearance, then relabel.
        var final = new int[next];
        int count = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            int provisional = labels[i];
            if (provisional == 0) continue;
            int root = Find(parent, provisional);
            if (final[root] == 0) final[root] = ++count;
            labels[i] = final[root];
        }
        return count;
    }

    /// <summary>Unions the sets of two labels (either may be 0 = none) and returns the smaller root.</summary>
    static int Join(int[] parent, int a, int b)
    {
        if (b == 0) return a;
        if (a == 0) return Find(parent, b);
        int ra = Find(parent, a), rb = Find(parent, b);
        if (ra == rb) return ra;
        if (ra < rb)
        {
            parent[rb] = ra;
            return ra;
        }
        parent[ra] = rb;
        return rb;
    }

    static int Find(int[] parent, int label)
    {
        int root = label;
        while (parent[root] != root) root = parent[root];
        // Path compression keeps later finds short.
        while (parent[label] != root)
        {
            int up = parent[label];
            parent[label] = root;
            label = up;
        }
        return root;
    }
}
