namespace SoSeg.Data.Datasets;

/// <summary>
/// Per-volume intensity normalisation of MRI/CT volumes: clip to the [lower, upper] percentiles of the
/// volume's own intensities, then scale linearly to [0, 1]. Percentiles interpolate linearly between order
/// statistics, as numpy.percentile does by default.
/// </summary>
public static class IntensityNormalisation
{
    /// <summary>Clips and scales <paramref name="values"/> in place; returns the two percentile values used.</summary>
    public static (float Low, float High) PercentileScale(Span<float> values, double lowerPercentile, double upperPercentile)
    {
        if (values.Length == 0) return (0, 0);
        var (low, high) = Percentiles(values, lowerPercentile, upperPercentile);
        float range = high - low;
        if (!(range > 0))
        {
            // A constant volume carries no contrast: all zeros rather than a division by zero.
            values.Clear();
            return (low, high);
        }
        float scale = 1f / range;
        for (int i = 0; i < values.Length; i++)
        {
            float v = (values[i] - low) * scale;
            values[i] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
        return (low, high);
    }

    /// <summary>The two percentiles (0..100) of <paramref name="values"/>, by linear interpolation; the input is not changed.</summary>
    public static (float Low, float High) Percentiles(ReadOnlySpan<float> values, double lowerPercentile, double upperPercentile)
    {
        var work = values.ToArray();
        float low = Percentile(work, lowerPercentile);
        float high = Percentile(work, upperPercentile);
        return (low, high);
    }

    /// <summary>One percentile; reorders <paramref name="work"/> (quickselect, O(n) on average).</summary>
    public static float Percentile(float[] work, double percentile)
    {
        if (work.Length == 0) throw new ArgumentException("No values.", nameof(work));
        double position = Math.Clamp(percentile, 0, 100) / 100.0 * (work.Length - 1);
        int below = (int)Math.Floor(position);
        double fraction = position - below;
        float lowValue = Select(work, below);
        if (fraction == 0 || below + 1 >= work.Length) return lowValue;
        // After Select, everything right of 'below' is >= it: the next order statistic is their minimum.
        float next = float.MaxValue;
        for (int i = below + 1; i < work.Length; i++)
            if (work[i] < next) next = work[i];
        return (float)(lowValue + (next - lowValue) * fraction);
    }

    /// <summary>Hoare-partition quickselect with median-of-three pivots: puts the k-th smallest value at index k.</summary>
    static float Select(float[] a, int k)
    {
        int left = 0, right = a.Length - 1;
        while (right > left)
        {
            int mid = left + (right - left) / 2;
            if (a[mid] < a[left]) (a[mid], a[left]) = (a[left], a[mid]);
            if (a[right] < a[left]) (a[right], a[left]) = (a[left], a[right]);
            if (a[right] < a[mid]) (a[right], a[mid]) = (a[mid], a[right]);
            float pivot = a[mid];
            int i = left, j = right;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }
            if (k <= j) right = j;
            else if (k >= i) left = i;
            else return a[k];
        }
        return a[k];
    }
}
