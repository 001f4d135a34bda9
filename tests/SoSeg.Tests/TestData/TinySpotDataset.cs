using SoSeg.Data;
using SoSeg.Data.Images;

namespace SoSeg.Tests.TestData;

/// <summary>
/// A small SoSeg-layout dataset written by tests: grey images with one bright spot on a noisy background,
/// labels background 0 / spot 1. Small enough that a tiny model trains on it in seconds.
/// </summary>
public static class TinySpotDataset
{
    /// <summary>Writes <paramref name="train"/> + <paramref name="test"/> cases of <paramref name="size"/> x <paramref name="size"/> into <paramref name="folder"/>, spot radius in [<paramref name="minRadius"/>, <paramref name="maxRadius"/>].</summary>
    public static string Write(string folder, int train = 8, int test = 2, int size = 40, int seed = 3, int minRadius = 2, int maxRadius = 4)
    {
        var random = new Random(seed);
        for (int i = 0; i < train + test; i++)
        {
            bool isTrain = i < train;
            string id = $"spot_{i:D3}";
            var (image, mask) = Render(random, size, minRadius, maxRadius);
            ImageWriter.WriteGrey(Path.Combine(folder, isTrain ? "imagesTr" : "imagesTs", id + "_0000.png"), image, size, size);
            ImageWriter.WriteMask(Path.Combine(folder, isTrain ? "labelsTr" : "labelsTs", id + ".png"), mask, size, size);
        }
        new DatasetManifest
        {
            Name = "TinySpots",
            ChannelNames = ["grey"],
            Labels = [new("background", 0), new("spot", 1)],
            NumTraining = train,
            NumTest = test,
            FileEnding = ".png",
        }.Write(Path.Combine(folder, DatasetManifest.FileName));
        return folder;
    }

    static (byte[] Image, byte[] Mask) Render(Random random, int size, int minRadius, int maxRadius)
    {
        var image = new byte[size * size];
        var mask = new byte[size * size];
        int radius = random.Next(minRadius, maxRadius + 1);
        int cx = radius + random.Next(size - 2 * radius), cy = radius + random.Next(size - 2 * radius);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                bool inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius;
                image[y * size + x] = (byte)Math.Clamp((inside ? 200 : 60) + random.Next(-20, 21), 0, 255);
                mask[y * size + x] = inside ? (byte)1 : (byte)0;
            }
        return (image, mask);
    }
}
