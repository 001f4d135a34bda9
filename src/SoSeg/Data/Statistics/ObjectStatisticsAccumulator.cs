namespace SoSeg.Data.Statistics;

/// <summary>
/// Counts objects by size over many masks: add masks of class indices (255 = ignore, never an object), read
/// per-class and overall statistics. Not thread-safe; merge one accumulator per thread.
/// </summary>
public sealed class ObjectStatisticsAccumulator
{
    readonly IReadOnlyList<string> _names;
    readonly long[] _objects, _ultraSmall, _small, _images;
    readonly double[] _min, _max;
    long _imagesWithAny; // an image may hold several classes: not derivable from the per-class counts
    int[] _labels = [];

    /// <param name="classNames">Names by class index; index 0 (background) is not counted.</param>
    public ObjectStatisticsAccumulator(IReadOnlyList<string> classNames)
    {
        _names = classNames;
        int k = classNames.Count;
        _objects = new long[k];
        _ultraSmall = new long[k];
        _small = new long[k];
        _images = new long[k];
        _min = Enumerable.Repeat(double.PositiveInfinity, k).ToArray();
        _max = Enumerable.Repeat(double.NegativeInfinity, k).ToArray();
    }

    /// <summary>Masks added so far.</summary>
    public long Masks { get; private set; }

    /// <summary>Adds one mask (Height x Width class indices).</summary>
    public void Add(byte[] mask, int height, int width)
    {
        if (_labels.Length < mask.Length) _labels = new int[mask.Length];
        var present = new bool[_names.Count];
        foreach (byte v in mask)
            if (v != 0 && v < present.Length) present[v] = true;
        bool any = false;
        double pixels = (double)height * width;
        for (int cls = 1; cls < _names.Count; cls++)
        {
            if (!present[cls]) continue;
            var labels = _labels.AsSpan(0, mask.Length);
            int count = ConnectedComponents.Label(mask, height, width, (byte)cls, labels);
            if (count == 0) continue;
            any = true;
            _images[cls]++;
            var areas = new int[count + 1];
            foreach (int label in labels)
                if (label != 0) areas[label]++;
            for (int k = 1; k <= count; k++)
            {
                double ratio = areas[k] / pixels;
                _objects[cls]++;
                if (ObjectSize.IsUltraSmall(ratio)) _ultraSmall[cls]++;
                if (ObjectSize.IsSmall(ratio)) _small[cls]++;
                _min[cls] = Math.Min(_min[cls], ratio);
                _max[cls] = Math.Max(_max[cls], ratio);
            }
        }
        if (any) _imagesWithAny++;
        Masks++;
    }

    /// <summary>Adds the counts of another accumulator over the same classes.</summary>
    public void Merge(ObjectStatisticsAccumulator other)
    {
        for (int c = 0; c < _names.Count; c++)
        {
            _objects[c] += other._objects[c];
            _ultraSmall[c] += other._ultraSmall[c];
            _small[c] += other._small[c];
            _images[c] += other._images[c];
            _min[c] = Math.Min(_min[c], other._min[c]);
            _max[c] = Math.Max(_max[c], other._max[c]);
        }
        _imagesWithAny += other._imagesWithAny;
        Masks += other.Masks;
    }

    /// <summary>All foreground classes together (index 0 is never counted, so its entries are neutral).</summary>
    public ClassObjectStatistics All
    {
        get
        {
            long objects = _objects.Sum();
            return new(-1, "all", objects, _ultraSmall.Sum(), _small.Sum(),
                objects > 0 ? _min.Min() : null, objects > 0 ? _max.Max() : null, _imagesWithAny);
        }
    }

    /// <summary>One entry per foreground class (index 1..K-1).</summary>
    public IReadOnlyList<ClassObjectStatistics> PerClass =>
        Enumerable.Range(1, _names.Count - 1).Select(c => new ClassObjectStatistics(c, _names[c], _objects[c], _ultraSmall[c], _small[c],
            _objects[c] > 0 ? _min[c] : null, _objects[c] > 0 ? _max[c] : null, _images[c])).ToList();
}
