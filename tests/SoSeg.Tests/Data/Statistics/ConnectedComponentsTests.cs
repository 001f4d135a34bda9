using SoSeg.Data.Statistics;

namespace SoSeg.Tests.Data.Statistics;

public class ConnectedComponentsTests
{
    /// <summary>Builds a mask from rows of characters: '.' = 0, digits = that class.</summary>
    static (byte[] Mask, int Height, int Width) Grid(params string[] rows)
    {
        int h = rows.Length, w = rows[0].Length;
        var mask = new byte[h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) mask[y * w + x] = rows[y][x] == '.' ? (byte)0 : (byte)(rows[y][x] - '0');
        return (mask, h, w);
    }

    [Fact]
    public void Diagonal_neighbours_are_one_object_under_8_connectivity_and_two_under_4()
    {
        var (mask, h, w) = Grid(
            "1..",
            ".1.",
            "...");
        Assert.Equal(1, ConnectedComponents.Label(mask, h, w, 1).Count);
        Assert.Equal(2, ConnectedComponents.Label(mask, h, w, 1, eightConnected: false).Count);
    }

    [Fact]
    public void Anti_diagonal_merge_from_the_upper_right_joins_earlier_labels()
    {
        // The bottom-left run and the top-right pixel get separate provisional labels, joined through NE.
        var (mask, h, w) = Grid(
            "1...1",
            ".1.1.",
            "..1..");
        var result = ConnectedComponents.Label(mask, h, w, 1);
        Assert.Equal(1, result.Count);
        Assert.Equal(5, result.Components[0].Area);
        Assert.Equal(new ComponentInfo(1, 5, 0, 0, 2, 4), result.Components[0]);
    }

    [Fact]
    public void Classes_are_labelled_separately_and_numbered_in_raster_order()
    {
        var (mask, h, w) = Grid(
            "11..2",
            "1..22",
            "....2",
            "2.111");
        var ones = ConnectedComponents.Label(mask, h, w, 1);
        Assert.Equal(2, ones.Count);
        Assert.Equal([3, 3], ones.Components.Select(c => c.Area));
        Assert.Equal(1, ones.Labels[0]);
        Assert.Equal(2, ones.Labels[3 * w + 2]);
        Assert.Equal(0, ones.Labels[4]);
        var twos = ConnectedComponents.Label(mask, h, w, 2);
        Assert.Equal(2, twos.Count);
        Assert.Equal([4, 1], twos.Components.Select(c => c.Area));
        Assert.Equal(4 / 20.0, twos.AreaRatio(1));
    }

    [Fact]
    public void U_shape_needs_the_union_find_second_pass()
    {
        var (mask, h, w) = Grid(
            "1.1.1",
            "1.1.1",
            "11111");
        var result = ConnectedComponents.Label(mask, h, w, 1, eightConnected: false);
        Assert.Equal(1, result.Count);
        Assert.All(result.Labels.Where((_, i) => mask[i] == 1), l => Assert.Equal(1, l));
    }

    [Fact]
    public void Worst_case_patterns_fit_the_provisional_label_forest()
    {
        // Isolated pixels on a 2-pixel grid (8-connectivity) and a checkerboard (4-connectivity) make the most labels.
        foreach (var (w, h) in new[] { (7, 5), (8, 8), (1, 9), (9, 1) })
        {
            var grid = new byte[w * h];
            var checker = new byte[w * h];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    if (x % 2 == 0 && y % 2 == 0) grid[y * w + x] = 1;
                    if ((x + y) % 2 == 0) checker[y * w + x] = 1;
                }
            Assert.Equal(((w + 1) / 2) * ((h + 1) / 2), ConnectedComponents.Label(grid, h, w, 1).Count);
            Assert.Equal((w * h + 1) / 2, ConnectedComponents.Label(checker, h, w, 1, eightConnected: false).Count);
            // Under 8-connectivity the checkerboard's diagonals join it into one object (when it has two rows and columns).
            if (w > 1 && h > 1) Assert.Equal(1, ConnectedComponents.Label(checker, h, w, 1).Count);
        }
    }

    [Fact]
    public void Random_masks_agree_with_a_flood_fill()
    {
        var random = new Random(5);
        for (int trial = 0; trial < 30; trial++)
        {
            int h = random.Next(1, 40), w = random.Next(1, 40);
            var mask = new byte[h * w];
            for (int i = 0; i < mask.Length; i++) mask[i] = (byte)(random.NextDouble() < 0.45 ? 1 : 0);
            foreach (bool eight in (bool[])[true, false])
            {
                var labels = ConnectedComponents.Label(mask, h, w, 1, eight);
                Assert.Equal(FloodFillCount(mask, h, w, eight), labels.Count);
                Assert.Equal(mask.Count(v => v == 1), labels.Components.Sum(c => c.Area));
            }
        }
    }

    [Fact]
    public void Span_overload_reuses_a_buffer_and_checks_sizes()
    {
        var (mask, h, w) = Grid("1.1", "...", "1.1");
        var buffer = new int[16];
        Assert.Equal(4, ConnectedComponents.Label(mask, h, w, 1, buffer));
        Assert.Throws<ArgumentException>(() => ConnectedComponents.Label(mask, 2, 2, 1));
    }

    static int FloodFillCount(byte[] mask, int h, int w, bool eight)
    {
        var seen = new bool[mask.Length];
        int count = 0;
        var stack = new Stack<int>();
        for (int start = 0; start < mask.Length; start++)
        {
            if (mask[start] != 1 || seen[start]) continue;
            count++;
            seen[start] = true;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int p = stack.Pop(), y = p / w, x = p % w;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        if ((dx == 0 && dy == 0) || (!eight && dx != 0 && dy != 0)) continue;
                        int ny = y + dy, nx = x + dx;
                        if (ny < 0 || ny >= h || nx < 0 || nx >= w) continue;
                        int q = ny * w + nx;
                        if (mask[q] == 1 && !seen[q])
                        {
                            seen[q] = true;
                            stack.Push(q);
                        }
                    }
            }
        }
        return count;
    }
}
