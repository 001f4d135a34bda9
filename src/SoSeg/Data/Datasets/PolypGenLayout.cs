using System.Text.RegularExpressions;

namespace SoSeg.Data.Datasets;

/// <summary>
/// The PolypGen release (Ali et al., Scientific Data 2023; PolypGen2021_MultiCenterData_v3): six hospital
/// centres data_C1..data_C6, each with images_Ck/NAME.jpg and masks_Ck/NAME_mask.jpg (JPEG, binarised at
/// half range). The centre is kept as the sample's group. Video frames in sequenceData/positive/seqN
/// (images_seqN, masks_seqN) are read only when asked; the paper's 1537 images are the single frames.
/// </summary>
internal static partial class PolypGenLayout
{
    public const string ReleaseFolder = "PolypGen2021_MultiCenterData_v3";

    [GeneratedRegex(@"^data_(?<centre>C\d+)$")]
    private static partial Regex CentreFolder();

    [GeneratedRegex(@"^seq\d+(_neg)?$")]
    private static partial Regex SequenceFolder();

    public static DatasetManifest Manifest(string name) => new()
    {
        Name = name,
        Description = "PolypGen: multi-centre colonoscopy polyp segmentation (Ali et al., Scientific Data 2023).",
        Modality = "colonoscopy",
        ChannelNames = ["R", "G", "B"],
        Labels = [new("background", 0), new("polyp", 1)],
        FileEnding = ".jpg",
    };

    /// <summary>The folder holding data_C1.. (the given one, or the release folder inside it), or null.</summary>
    public static string? FindDataFolder(string root)
    {
        foreach (string candidate in (string[])[root, Path.Combine(root, ReleaseFolder)])
            if (Directory.Exists(candidate) && Directory.GetDirectories(candidate).Any(d => CentreFolder().IsMatch(Path.GetFileName(d))))
                return candidate;
        return null;
    }

    public static DatasetDiscovery Discover(string root, bool includeSequences)
    {
        string folder = FindDataFolder(root)
            ?? throw new SoSegException($"{root}: no PolypGen centres found (expected data_C1/images_C1/ and data_C1/masks_C1/, ... here or in {ReleaseFolder}/).");
        var cases = new List<DatasetCase>();
        foreach (string centreFolder in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            var match = CentreFolder().Match(Path.GetFileName(centreFolder));
            if (!match.Success) continue;
            string centre = match.Groups["centre"].Value;
            cases.AddRange(Pairs(centreFolder, centre));
        }
        string sequences = Path.Combine(folder, "sequenceData", "positive");
        if (includeSequences && Directory.Exists(sequences))
            foreach (string sequence in Directory.GetDirectories(sequences).Order(StringComparer.Ordinal))
                if (SequenceFolder().IsMatch(Path.GetFileName(sequence)))
                    cases.AddRange(Pairs(sequence, Path.GetFileName(sequence)));
        LayoutFiles.CheckUniqueIds(cases, folder);
        return new DatasetDiscovery(DatasetLayout.PolypGen, folder, Manifest("PolypGen"), null, cases, LayoutHasTestSet: false, BinaryThresholdMasks: true);
    }

    /// <summary>images_G/NAME.jpg with masks_G/NAME_mask.jpg (also NAME.jpg or .png masks) in one centre or sequence folder G.</summary>
    static IEnumerable<DatasetCase> Pairs(string groupFolder, string group)
    {
        string images = Path.Combine(groupFolder, $"images_{group}");
        string masks = Path.Combine(groupFolder, $"masks_{group}");
        if (!Directory.Exists(images)) throw new SoSegException($"{groupFolder}: images_{group}/ is missing (PolypGen layout).");
        foreach (string image in LayoutFiles.Images(images))
        {
            string ending = LayoutFiles.EndingOf(image, LayoutFiles.ImageEndings)!;
            string stem = LayoutFiles.Stem(image, ending);
            string mask = LayoutFiles.FindMask(masks, stem, ["_mask", ""], LayoutFiles.ImageEndings)
                ?? throw new SoSegException($"{image} has no mask: expected {Path.Combine(masks, stem + "_mask.jpg")}.");
            yield return new DatasetCase($"{group}_{stem}", DatasetSubset.Train, [image], mask, group, IsVolume: false);
        }
    }
}
