using SoSeg.Data.Images;

namespace SoSeg.Data.Datasets;

/// <summary>
/// The plain layout of Kvasir-SEG, ETIS-Larib and most polyp sets: images/NAME.EXT with masks/NAME.EXT (also
/// NAME_mask or NAME_segmentation, any image ending), either at the top or under train/ and test/; also the
/// CVC-ClinicDB release, whose folders are "Original" and "Ground Truth" (TIFF or PNG). Without a dataset.json
/// the masks are binary (thresholded at half range) and the channel count is the first image's.
/// </summary>
internal static class ImagesMasksLayout
{
    /// <summary>Image and mask folder names, in the order they are looked for.</summary>
    static readonly (string Images, string Masks)[] FolderPairs = [("images", "masks"), ("Original", "Ground Truth")];

    public static bool Looks(string root) => PairIn(root) is not null || PairIn(Path.Combine(root, "train")) is not null;

    static (string Images, string Masks)? PairIn(string folder)
    {
        foreach (var pair in FolderPairs)
            if (Directory.Exists(Path.Combine(folder, pair.Images)) && Directory.Exists(Path.Combine(folder, pair.Masks))) return pair;
        return null;
    }

    public static DatasetDiscovery Discover(string root)
    {
        var cases = new List<DatasetCase>();
        bool split = PairIn(Path.Combine(root, "train")) is not null;
        if (split)
        {
            cases.AddRange(Pairs(Path.Combine(root, "train"), DatasetSubset.Train));
            string test = Path.Combine(root, "test");
            if (PairIn(test) is not null) cases.AddRange(Pairs(test, DatasetSubset.Test));
            else if (FolderPairs.Any(p => Directory.Exists(Path.Combine(test, p.Images))))
                throw new SoSegException($"{test}: has images but no mask folder next to them (masks/ or \"Ground Truth\"/).");
        }
        else if (PairIn(root) is not null) cases.AddRange(Pairs(root, DatasetSubset.Train));
        else throw new SoSegException($"{root}: expected images/ and masks/, Original/ and \"Ground Truth\"/ (CVC-ClinicDB), or either pair under train/.");
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
        var pair = PairIn(folder)!.Value;
        string images = Path.Combine(folder, pair.Images);
        string masks = Path.Combine(folder, pair.Masks);
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
