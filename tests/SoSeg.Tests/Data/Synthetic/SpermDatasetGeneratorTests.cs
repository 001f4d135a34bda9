using SoSeg.Data.Synthetic;

namespace SoSeg.Tests.Data.Synthetic;

public class SpermDatasetGeneratorTests
{
    readonly SpermDatasetGenerator _generator = new();

    [Fact]
    public void Same_seed_renders_the_same_bytes_and_another_seed_differs()
    {
        var a = _generator.Render(42);
        var b = _generator.Render(42);
        var c = _generator.Render(43);
        Assert.Equal(a.Image, b.Image);
        Assert.Equal(a.Mask, b.Mask);
        Assert.NotEqual(a.Image, c.Image);
    }

    [Fact]
    public void Frames_are_640x480_grey_with_labels_0_1_2()
    {
        var frame = _generator.Render(1);
        Assert.Equal((640, 480, 1), (frame.Width, frame.Height, frame.Channels));
        Assert.Equal(640 * 480, frame.Image.Length);
        Assert.Subset(new HashSet<byte> { 0, 1, 2 }, frame.Mask.ToHashSet());
    }

    [Fact]
    public void Every_sperm_is_under_one_percent_of_the_frame_and_both_classes_occur()
    {
        var labels = new HashSet<byte>();
        for (int seed = 0; seed < 8; seed++)
        {
            var frame = _generator.Render(SyntheticDatasetWriter.CaseSeed(3, seed));
            var components = MaskComponents.Find(frame.Mask, frame.Width, frame.Height);
            Assert.True(components.Count >= 4, $"frame {seed}: {components.Count} objects");
            foreach (var (label, area) in components)
            {
                Assert.True(area < 0.01 * frame.PixelCount, $"frame {seed}: an object of {area} px is not under 1% of the frame");
                labels.Add(label);
            }
            // Labelled pixels stay a small share: 5-15 sperm of a few hundred pixels each.
            int labelled = frame.Mask.Count(v => v != 0);
            Assert.InRange(labelled, 300, 0.03 * frame.PixelCount);
        }
        Assert.Equal(new HashSet<byte> { 1, 2 }, labels);
    }

    [Fact]
    public void Sperm_are_darker_or_brighter_than_their_surroundings()
    {
        // The image must carry the objects the mask claims: their mean differs from the frame's by a visible margin.
        for (int seed = 0; seed < 4; seed++)
        {
            var frame = _generator.Render(seed);
            double objects = frame.Mask.Select((v, i) => (v, i)).Where(t => t.v != 0).Average(t => frame.Image[t.i]);
            double background = frame.Mask.Select((v, i) => (v, i)).Where(t => t.v == 0).Average(t => frame.Image[t.i]);
            Assert.True(Math.Abs(objects - background) > 8, $"frame {seed}: objects {objects:0.0} vs background {background:0.0}");
        }
    }
}
