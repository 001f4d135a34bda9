using SoSeg.Data.Statistics;
using SoSeg.Metrics;

namespace SoSeg.Tests.Metrics;

public class MultiClassLabellingTests
{
    private static (int Count, int[] Labels) Label(params string[] rows)
    {
        var (pixels, h, w) = MaskText.Parse(rows);
        var labels = new int[pixels.Length];
        int count = ConnectedComponents.LabelAllClasses(pixels, h, w, labels);
        return (count, labels);
    }

    [Fact]
    public void Diagonally_touching_pixels_form_one_object()
    {
        Assert.Equal(1, Label("100", "010", "001").Count);
        Assert.Equal(1, Label("001", "010", "100").Count);
    }

    [Fact]
    public void Different_classes_that_touch_are_separate_objects()
    {
        var (count, labels) = Label("1122", "1122");
        Assert.Equal(2, count);
        Assert.Equal([1, 1, 2, 2, 1, 1, 2, 2], labels);
    }

    [Fact]
    public void Background_and_ignore_pixels_belong_to_no_object_and_separate_objects()
    {
        // The two 1s are joined only through the ignore column, which is not part of any object.
        var (count, labels) = Label("1x1", "0x0");
        Assert.Equal(2, count);
        Assert.Equal([1, 0, 2, 0, 0, 0], labels);
    }

    [Fact]
    public void Branches_that_meet_late_are_merged_and_labels_follow_raster_order()
    {
        // A "U": the two arms get different provisional labels and merge on the last row; the lone
        // pixel on the right comes later in raster order, so it is object 2.
        var (count, labels) = Label(
            "10100",
            "10101",
            "11100");
        Assert.Equal(2, count);
        Assert.Equal(2, labels[9]);
        Assert.All(new[] { 0, 2, 5, 7, 10, 11, 12 }, i => Assert.Equal(1, labels[i]));
    }

    [Fact]
    public void Matches_a_flood_fill_on_random_maps()
    {
        var random = new Random(1234);
        for (int trial = 0; trial < 30; trial++)
        {
            int h = random.Next(1, 24), w = random.Next(1, 24);
            var map = new byte[h * w];
            for (int i = 0; i < map.Length; i++)
            {
                int r = random.Next(10);
                map[i] = r < 5 ? (byte)0 : r < 7 ? (byte)1 : r < 9 ? (byte)2 : (byte)255;
            }
            var labels = new int[map.Length];
            int count = ConnectedComponents.LabelAllClasses(map, h, w, labels);
            var reference = FloodFill(map, h, w, out int referenceCount);
            Assert.Equal(referenceCount, count);
            // Same partition: both labellings number objects in raster order of their first pixel.
            Assert.Equal(reference, labels);
        }
    }

    private static int[] FloodFill(byte[] map, int h, int w, out int count)
    {
        var labels = new int[map.Length];
        count = 0;
        var stack = new Stack<int>();
        for (int start = 0; start < map.Length; start++)
        {
            if (map[start] is 0 or 255 || labels[start] != 0) continue;
            labels[start] = ++count;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int i = stack.Pop(), y = i / w, x = i % w;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int ny = y + dy, nx = x + dx;
                        if (ny < 0 || ny >= h || nx < 0 || nx >= w) continue;
                        int j = ny * w + nx;
                        if (labels[j] == 0 && map[j] == map[start]) { labels[j] = count; stack.Push(j); }
                    }
            }
        }
        return labels;
    }
}
