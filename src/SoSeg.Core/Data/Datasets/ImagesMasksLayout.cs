using SoSeg.Data.Images;

namespace SoSeg.Data.Datasets;

/// <summary>
/// The plain layout of Kvasir-SEG, CVC-ClinicDB and most polyp sets: images/NAME.EXT with masks/NAME.EXT
/// (also NAME_mask or NAME_segmentation, any image ending), either at the top or under train/ and test/.
/// Without a dataset.json the masks are binary (thresholded at half range) and the channel count is the
/// first image's.
/// </summary>
internal static class ImagesMasksLayout
{
    public static bool Looks(string root) =>
        (Directory.Exists(Path.Combine(root, "images")) && Directory.Exists(Path.Combine(root, "masks")))
        || (Directory.Exists(Path.Combine(root, "train", "images")) && Directory.Exists(Path.Combine(root, "train", "masks")));

    public static DatasetDiscovery Discover(string root)
    {
        var cases = new List<DatasetCase>();
        bool split = Directory.Exists(Path.Combine(root, "train", "images"));
        if (split)
        {
            cases.AddRange(Pairs(Path.Combine(root, "train"), DatasetSubset.Train));
            if (Directory.Exists(Path.Combine(root, "test", "images"))) cases.AddRange(Pairs(Path.Combine(root, "test"), DatasetSubset.Test));
        }
        else if (Directory.Exists(Path.Combine(root, "images"))) cases.AddRange(Pairs(root, DatasetSubset.Train));
        else throw new SoSegException($"{root}: expected images/ and masks/ (or train/images/ and train/masks/).");
        LayoutFiles.CheckUniqueIds(cases, root);

        string manifestPath = Path.Combine(root, DatasetManifest.FileName);
        DatasetManifest manifest;
        if (File.Exists(manifestPath)) manifest = DatasetManifest.Read(manifestPath);
        else
        {
            int channels = cases.Count > 0 ? ImageReader.ReadInfo(cases[0].ImagePaths[0]).Channels : 3;
            manifest = new DatasetManifest
            {
                Name = Path.GetFileName(Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar)),
                ChannelNames = channels == 1 ? ["grey"] : ["R", "G", "B"],
                Labels = [new("background", 0), new("foreground", 1)],
                FileEnding = Path.GetExtension(cases.FirstOrDefault()?.ImagePaths[0] ?? ".png"),
            };
        }
        bool binary = manifest.Labels.Count == 2 && manifest.ColourMap is null;
        return new DatasetDiscovery(DatasetLayout.ImagesMasks, root, manifest, File.Exists(manifestPath) ? manifestPath : null,
            cases, LayoutHasTestSet: split && cases.Any(c => c.Subset == DatasetSubset.Test), BinaryThresholdMasks: binary);
    }

    static IEnumerable<DatasetCase> Pairs(string folder, DatasetSubset subset)
    {
        string images = Path.Combine(folder, "images");
        string masks = Path.Combine(folder, "masks");
        if (!Directory.Exists(masks)) throw new SoSegException($"{folder}: masks/ is missing next to images/.");
        foreach (string image in LayoutFiles.Images(images))
        {
            string ending = LayoutFiles.EndingOf(image, LayoutFiles.ImageEndings)!;
            string stem = LayoutFiles.Stem(image, ending);
            string mask = LayoutFiles.FindMask(masks, stem, ["", "_mask", "_segmentation"], new[] { ending }.Concat(LayoutFiles.ImageEndings).Distinct(StringComparer.OrdinalIgnoreCase))
                ?? throw new SoSegException($"{image} has no mask: expected {Path.Combine(masks, stem + ending)}.");
            yield return new DatasetCase(stem, subset, [image], mask, null, IsVolume: false);
        }
    }
}
