using SoSeg.Data.Synthetic;

namespace SoSeg.Tests.Data.Synthetic;

public class PolypDatasetGeneratorTests
{
    readonly PolypDatasetGenerator _generator = new();

    [Fact]
    public void Same_seed_renders_the_same_bytes()
    {
        var a = _generator.Render(7);
        var b = _generator.Render(7);
        Assert.Equal(a.Image, b.Image);
        Assert.Equal(a.Mask, b.Mask);
        Assert.NotEqual(a.Image, _generator.Render(8).Image);
    }

    [Fact]
    public void Polyps_range_from_under_one_percent_to_about_fifteen_percent_with_some_empty_frames()
    {
        var fractions = new List<double>();
        int empty = 0;
        var sizes = new HashSet<(int, int)>();
        for (int i = 0; i < 30; i++)
        {
            var frame = _generator.Render(SyntheticDatasetWriter.CaseSeed(11, i));
            Assert.Equal(3, frame.Channels);
            Assert.Equal(frame.PixelCount * 3, frame.Image.Length);
            Assert.Contains((frame.Width, frame.Height), PolypDatasetGenerator.FrameSizes);
            sizes.Add((frame.Width, frame.Height));
            Assert.Subset(new HashSet<byte> { 0, 1 }, frame.Mask.ToHashSet());
            var components = MaskComponents.Find(frame.Mask, frame.Width, frame.Height);
            if (components.Count == 0) empty++;
            fractions.AddRange(components.Select(c => (double)c.Area / frame.PixelCount));
        }
        Assert.InRange(empty, 1, 12);
        Assert.True(fractions.Min() < 0.01, $"smallest polyp {fractions.Min():P2}");
        Assert.True(fractions.Max() > 0.05, $"largest polyp {fractions.Max():P2}");
        Assert.True(fractions.Max() <= 0.16, $"largest polyp {fractions.Max():P2}");
        Assert.True(fractions.Count(f => f < 0.01) >= 3 && fractions.Count(f => f >= 0.01) >= 3, "both ultra-small and small polyps");
        Assert.True(sizes.Count >= 3, "frame sizes vary");
    }

    [Fact]
    public void Most_polyps_differ_in_colour_from_the_mucosa_around_them()
    {
        // Some polyps blend in (as real flat ones do) and show only by their shading; most must differ in colour.
        int withPolyps = 0, distinct = 0;
        var report = new List<string>();
        for (int seed = 0; seed < 10; seed++)
        {
            var frame = _generator.Render(seed);
            if (frame.Mask.All(v => v == 0)) continue;
            withPolyps++;
            var near = Dilate(frame.Mask, frame.Width, frame.Height, 12);
            var inside = Mean(frame, i => frame.Mask[i] == 1);
            var ring = Mean(frame, i => frame.Mask[i] == 0 && near[i]);
            double difference = Enumerable.Range(0, 3).Max(c => Math.Abs(inside[c] - ring[c]));
            if (difference > 4) distinct++;
            report.Add($"{seed}: {difference:0.0}");
        }
        Assert.True(withPolyps >= 6, $"only {withPolyps} of 10 frames have polyps");
        Assert.True(distinct >= 0.7 * withPolyps, $"largest channel difference per frame: {string.Join(", ", report)}");
    }

    static double[] Mean(SyntheticCase frame, Func<int, bool> select)
    {
        var sum = new double[3];
        int count = 0;
        for (int i = 0; i < frame.PixelCount; i++)
        {
            if (!select(i)) continue;
            for (int c = 0; c < 3; c++) sum[c] += frame.Image[3 * i + c];
            count++;
        }
        Assert.True(count > 0, "no pixels selected");
        return sum.Select(s => s / count).ToArray();
    }

    /// <summary>
    /// Pixels within a (2r + 1)-square of a polyp pixel: a separable max filter. Scanning forward, the output at
    /// x - r is set when the last polyp pixel seen lies in [x - 2r, x].
    /// </summary>
    static bool[] Dilate(byte[] mask, int width, int height, int radius)
    {
        var rows = new bool[mask.Length];
        for (int y = 0; y < height; y++)
        {
            int last = -radius - 1;
            for (int x = 0; x < width + radius; x++)
            {
                if (x < width && mask[y * width + x] != 0) last = x;
                int target = x - radius;
                if (target >= 0) rows[y * width + target] = x - last <= 2 * radius;
            }
        }
        var result = new bool[mask.Length];
        for (int x = 0; x < width; x++)
        {
            int last = -radius - 1;
            for (int y = 0; y < height + radius; y++)
            {
                if (y < height && rows[y * width + x]) last = y;
                int target = y - radius;
                if (target >= 0) result[target * width + x] = y - last <= 2 * radius;
            }
        }
        return result;
    }
}
