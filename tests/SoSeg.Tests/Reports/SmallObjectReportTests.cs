using SkiaSharp;
using SoSeg.App.Reports;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Reports;

public class SmallObjectReportTests
{
    static byte[] Mask(int size, params (int Left, int Top, int Side)[] squares)
    {
        var mask = new byte[size * size];
        foreach (var (left, top, side) in squares)
            for (int y = top; y < top + side; y++) for (int x = left; x < left + side; x++) mask[y * size + x] = 1;
        return mask;
    }

    [Fact]
    public void The_inset_frames_the_smallest_object_four_times_its_size_at_least_24_px_inside_the_image()
    {
        // A 2 x 2 object at (60, 60) and a 20 x 20 one: 24 px around (60, 60).
        Assert.Equal([new SmallObjectInsets.Region(48, 48, 24)], SmallObjectInsets.Around(Mask(100, (60, 60, 2), (10, 10, 20)), 100, 100));
        // A 10 x 10 object at the corner: 40 px, shifted to stay inside.
        Assert.Equal([new SmallObjectInsets.Region(0, 0, 40)], SmallObjectInsets.Around(Mask(100, (0, 0, 10), (40, 40, 30)), 100, 100));
        Assert.Empty(SmallObjectInsets.Around(Mask(100), 100, 100));

        using var tile = new SKBitmap(100, 100);
        tile.SetPixel(61, 61, SKColors.Red);
        using var inset = SmallObjectInsets.Crop(tile, new SmallObjectInsets.Region(48, 48, 24));
        Assert.Equal(24, inset.Width);
        Assert.Equal(SKColors.Red, inset.GetPixel(13, 13));
    }

    [Fact]
    public void Missed_ultra_small_objects_are_listed_per_model_and_image()
    {
        using var folder = new TempFolder();
        string header = "id,gt_ultra_small,found_ultra_small";
        string a = folder.File("a.csv"), b = folder.File("b.csv");
        File.WriteAllLines(a, [header, "img1,3,1", "img2,0,0", "img3,2,2"]);
        File.WriteAllLines(b, [header, "img1,3,3", "img2,0,0", "img3,2,0"]);
        var missed = new MissedSmallObjects();
        missed.Add("unet", a);
        missed.Add("sosegformer-s", b);
        string markdown = missed.ToMarkdown();
        Assert.Contains("Missed of all ultra-small objects: unet 2 of 5, sosegformer-s 2 of 5.", markdown);
        Assert.Contains("| img1 | 3 | 2 missed | 0 missed |", markdown);
        Assert.Contains("| img3 | 2 | 0 missed | 2 missed |", markdown);
        Assert.DoesNotContain("img2", markdown);
        Assert.Contains("<td>2 missed</td>", missed.ToHtml());
    }
}
