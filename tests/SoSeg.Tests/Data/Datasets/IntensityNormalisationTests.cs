using SoSeg.Data.Datasets;

namespace SoSeg.Tests.Data.Datasets;

/// <summary>Percentiles against numpy.percentile's default (linear) values, worked out by hand.</summary>
public class IntensityNormalisationTests
{
    [Fact]
    public void Percentiles_interpolate_between_order_statistics_as_numpy_does()
    {
        // 1..10 shuffled: rank p/100 x 9; numpy.percentile(range(1, 11), [0.5, 25, 50, 99.5]) = 1.045, 3.25, 5.5, 9.955.
        float[] values = [7, 1, 10, 4, 9, 2, 8, 3, 6, 5];
        Assert.Equal((1.045f, 9.955f), IntensityNormalisation.Percentiles(values, 0.5, 99.5));
        Assert.Equal((3.25f, 5.5f), IntensityNormalisation.Percentiles(values, 25, 50));
        Assert.Equal((1f, 10f), IntensityNormalisation.Percentiles(values, 0, 100));
        Assert.Equal([7f, 1, 10, 4, 9, 2, 8, 3, 6, 5], values);
    }

    [Fact]
    public void Scaling_clips_to_the_percentiles_and_maps_them_to_0_and_1()
    {
        // 0..100 plus an outlier: rank 0.05 x 101 = 5.05 -> 5.05, rank 0.95 x 101 = 95.95 -> 95.95.
        var values = Enumerable.Range(0, 101).Select(v => (float)v).Append(10_000f).ToArray();
        var (low, high) = IntensityNormalisation.PercentileScale(values, 5, 95);
        Assert.Equal(5.05f, low, 1e-4f);
        Assert.Equal(95.95f, high, 1e-4f);
        Assert.Equal(0f, values[0]);
        Assert.Equal(0f, values[5]);
        Assert.Equal((50 - 5.05f) / 90.9f, values[50], 1e-5f);
        Assert.Equal(1f, values[96]);
        Assert.Equal(1f, values[^1]);

        float[] constant = [3, 3, 3];
        IntensityNormalisation.PercentileScale(constant, 0.5, 99.5);
        Assert.Equal([0f, 0, 0], constant);
    }
}
