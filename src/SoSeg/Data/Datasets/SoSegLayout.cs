using System.Text.RegularExpressions;

namespace SoSeg.Data.Datasets;

/// <summary>
/// SoSeg's own layout (nnU-Net v2 style): dataset.json; imagesTr/CASE_0000.EXT (one file per channel group,
/// _0000, _0001, ...); labelsTr/CASE.EXT; imagesTs/ and, when present, labelsTs/. EXT is dataset.json's
/// file_ending; 2-D masks may be PNG whatever the images are.
/// </summary>
internal static partial class SoSegLayout
{
    [GeneratedRegex(@"^(?<case>.+)_(?<channel>\d{4})$")]
    private static partial Regex ChannelFile();

    public static bool Looks(string root) =>
        File.Exists(Path.Combine(root, DatasetManifest.FileName)) && Directory.Exists(Path.Combine(root, "imagesTr"));

    public static DatasetDiscovery Discover(string root)
    {
        string manifestPath = Path.Combine(root, DatasetManifest.FileName);
        if (!File.Exists(manifestPath))
            throw new SoSegException($"{root}: {DatasetManifest.FileName} is missing (SoSeg layout: dataset.json, imagesTr/, labelsTr/, imagesTs/, labelsTs/).");
        var manifest = DatasetManifest.Read(manifestPath);
        string ending = manifest.FileEnding.StartsWith('.') ? manifest.FileEnding : "." + manifest.FileEnding;
        bool volumes = LayoutFiles.VolumeEndings.Any(e => e.Equals(ending, StringComparison.OrdinalIgnoreCase));
        if (!volumes && !LayoutFiles.ImageEndings.Any(e => e.Equals(ending, StringComparison.OrdinalIgnoreCase)))
            throw new SoSegException($"{manifestPath}: file_ending \"{manifest.FileEnding}\" is not one of {string.Join(", ", LayoutFiles.ImageEndings.Concat(LayoutFiles.VolumeEndings))}.");
        if (manifest.ColourMap is not null) LabelMap.ColourTable(manifest, manifestPath);

        string imagesTr = Path.Combine(root, "imagesTr");
        if (!Directory.Exists(imagesTr)) throw new SoSegException($"{root}: imagesTr/ is missing (SoSeg layout).");
        var train = Cases(root, "imagesTr", "labelsTr", ending, volumes, manifest, DatasetSubset.Train, masksRequired: true);
        bool hasLabelsTs = Directory.Exists(Path.Combine(root, "labelsTs"));
        var test = Cases(root, "imagesTs", "labelsTs", ending, volumes, manifest, DatasetSubset.Test, masksRequired: hasLabelsTs);

        if (manifest.NumTraining > 0 && manifest.NumTraining != train.Count)
            throw new SoSegException($"{manifestPath}: numTraining is {manifest.NumTraining} but imagesTr/ holds {train.Count} case(s).");
        if (manifest.NumTest > 0 && manifest.NumTest != test.Count)
            throw new SoSegException($"{manifestPath}: numTest is {manifest.NumTest} but imagesTs/ holds {test.Count} case(s).");
        var all = train.Concat(test).ToList();
        LayoutFiles.CheckUniqueIds(all, root);
        return new DatasetDiscovery(DatasetLayout.SoSeg, root, manifest, manifestPath, all, LayoutHasTestSet: true, BinaryThresholdMasks: false);
    }

    static List<DatasetCase> Cases(string root, string imageFolder, string labelFolder, string ending, bool volumes,
        DatasetManifest manifest, DatasetSubset subset, bool masksRequired)
    {
        string images = Path.Combine(root, imageFolder);
        string labels = Path.Combine(root, labelFolder);
        var channelsOf = new SortedDictionary<string, SortedDictionary<int, string>>(StringComparer.Ordinal);
        foreach (string file in LayoutFiles.Files(images))
        {
            if (!file.EndsWith(ending, StringComparison.OrdinalIgnoreCase)) continue;
            var match = ChannelFile().Match(LayoutFiles.Stem(file, ending));
            if (!match.Success)
                throw new SoSegException($"{file}: image files are named CASE_0000{ending} (case id, underscore, 4-digit channel index), as in nnU-Net.");
            var channels = channelsOf.TryGetValue(match.Groups["case"].Value, out var c) ? c : channelsOf[match.Groups["case"].Value] = new SortedDictionary<int, string>();
            channels[int.Parse(match.Groups["channel"].Value)] = file;
        }

        var cases = new List<DatasetCase>();
        foreach (var (id, channels) in channelsOf)
        {
            int expected = volumes ? manifest.Channels : channels.Count;
            for (int channel = 0; channel < Math.Max(expected, channels.Keys.Max() + 1); channel++)
                if (!channels.ContainsKey(channel))
                    throw new SoSegException($"{Path.Combine(images, $"{id}_{channel:D4}{ending}")} is missing: case {id} needs channel files _0000 to _{expected - 1:D4}.");
            if (volumes && channels.Count != manifest.Channels)
                throw new SoSegException($"{images}: case {id} has {channels.Count} channel file(s) but dataset.json channel_names lists {manifest.Channels}.");
            if (!volumes && channels.Count > manifest.Channels)
                throw new SoSegException($"{images}: case {id} has {channels.Count} channel files but dataset.json channel_names lists {manifest.Channels} channel(s).");

            string? mask = volumes
                ? LayoutFiles.FindMask(labels, id, [""], [ending])
                : LayoutFiles.FindMask(labels, id, [""], new[] { ending }.Concat(LayoutFiles.ImageEndings).Distinct(StringComparer.OrdinalIgnoreCase));
            if (mask is null && masksRequired)
                throw new SoSegException($"{channels[0]} has no mask: expected {Path.Combine(labels, id + (volumes ? ending : ".png"))}.");
            cases.Add(new DatasetCase(id, subset, channels.Values.ToArray(), mask, null, volumes));
        }

        // A mask without an image is a sign of a misnamed image.
        var ids = new HashSet<string>(channelsOf.Keys, StringComparer.Ordinal);
        foreach (string label in LayoutFiles.Files(labels))
        {
            string? labelEnding = LayoutFiles.EndingOf(label, volumes ? [ending] : LayoutFiles.ImageEndings.Append(ending));
            if (labelEnding is null) continue;
            string stem = LayoutFiles.Stem(label, labelEnding);
            if (!ids.Contains(stem))
                throw new SoSegException($"{label} has no image: expected {Path.Combine(images, stem + "_0000" + ending)}.");
        }
        return cases;
    }
}
