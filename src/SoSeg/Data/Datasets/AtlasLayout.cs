using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SoSeg.IO;

namespace SoSeg.Data.Datasets;

/// <summary>
/// The ATLAS liver release (Quinton et al. 2023, atlas-train-dataset-1.0.1): train/imagesTr/imN.nii.gz
/// (contrast-enhanced T1 MRI) with train/labelsTr/lbN.nii.gz (0 background, 1 liver, 2 tumour; the two labels
/// are disjoint). The release has no test set; SoSeg also reads imagesTs/labelsTs with the same naming, which
/// is how the synthetic liver generator writes its test cases.
/// </summary>
internal static partial class AtlasLayout
{
    [GeneratedRegex(@"^im(?<n>\d+)\.nii(\.gz)?$", RegexOptions.IgnoreCase)]
    private static partial Regex ImageName();

    /// <summary>Labels of the release: 0 background, 1 liver, 2 tumour.</summary>
    public static DatasetManifest BuiltInManifest(string name, IReadOnlyList<KeyValuePair<string, int>>? labels = null) => new()
    {
        Name = name,
        Description = "ATLAS: liver and tumour on contrast-enhanced T1 MRI (Quinton et al., Data 2023).",
        Modality = "MRI",
        ChannelNames = ["T1"],
        Labels = labels ?? [new("background", 0), new("liver", 1), new("tumour", 2)],
        FileEnding = ".nii.gz",
    };

    /// <summary>The folder holding imagesTr/imN.nii.gz below <paramref name="root"/> (itself, train/, or RELEASE/train/), or null.</summary>
    public static string? FindDataFolder(string root)
    {
        foreach (string candidate in (string[])[root, Path.Combine(root, "train")])
            if (HasAtlasImages(candidate)) return candidate;
        if (!Directory.Exists(root)) return null;
        foreach (string sub in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
            if (HasAtlasImages(Path.Combine(sub, "train"))) return Path.Combine(sub, "train");
        return null;
    }

    static bool HasAtlasImages(string folder) =>
        LayoutFiles.Files(Path.Combine(folder, "imagesTr")).Any(f => ImageName().IsMatch(Path.GetFileName(f)));

    public static DatasetDiscovery Discover(string root)
    {
        string folder = FindDataFolder(root)
            ?? throw new SoSegException($"{root}: no ATLAS images found (expected imagesTr/im0.nii.gz ... with labelsTr/lb0.nii.gz, here, in train/ or in atlas-train-dataset-1.0.1/train/).");
        var (manifest, manifestPath) = ReadManifest(folder, root);
        var cases = Cases(folder, "imagesTr", "labelsTr", DatasetSubset.Train, masksRequired: true);
        bool hasTest = Directory.Exists(Path.Combine(folder, "imagesTs"));
        if (hasTest) cases.AddRange(Cases(folder, "imagesTs", "labelsTs", DatasetSubset.Test, masksRequired: Directory.Exists(Path.Combine(folder, "labelsTs"))));
        LayoutFiles.CheckUniqueIds(cases, folder);
        return new DatasetDiscovery(DatasetLayout.Atlas, folder, manifest, manifestPath, cases, hasTest, BinaryThresholdMasks: false);
    }

    /// <summary>
    /// SoSeg's dataset.json when present (the synthetic generator writes one); otherwise the release's labels.
    /// The release's own dataset.json is in the older Decathlon form ({"labels": {"0": "background", ...}}),
    /// which is read for its label names when it parses.
    /// </summary>
    static (DatasetManifest Manifest, string? Path) ReadManifest(string folder, string root)
    {
        foreach (string candidate in new[] { Path.Combine(folder, DatasetManifest.FileName), Path.Combine(root, DatasetManifest.FileName) }.Distinct())
        {
            if (!File.Exists(candidate)) continue;
            var json = JsonFile.Parse(candidate);
            if (json is JsonObject o && o.ContainsKey("channel_names")) return (DatasetManifest.Read(candidate), candidate);
            if (json is JsonObject decathlon && decathlon["labels"] is JsonObject labels && DecathlonLabels(labels) is { } parsed)
                return (BuiltInManifest("ATLAS", parsed), candidate);
            return (BuiltInManifest("ATLAS"), candidate);
        }
        return (BuiltInManifest(Path.GetFileName(Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar))), null);
    }

    /// <summary>{"0": "background", "1": "liver", "2": "tumor"} as name -> value, or null when it is not in that form.</summary>
    static IReadOnlyList<KeyValuePair<string, int>>? DecathlonLabels(JsonObject labels)
    {
        var result = new List<KeyValuePair<string, int>>();
        foreach (var (key, value) in labels)
        {
            if (!int.TryParse(key, out int number) || number is < 0 or > 254) return null;
            if (value is not JsonValue v || !v.TryGetValue(out string? name)) return null;
            result.Add(new(name, number));
        }
        return result.Count >= 2 && result.Any(l => l.Value == 0) ? result.OrderBy(l => l.Value).ToList() : null;
    }

    static List<DatasetCase> Cases(string folder, string imageFolder, string labelFolder, DatasetSubset subset, bool masksRequired)
    {
        string images = Path.Combine(folder, imageFolder);
        string labels = Path.Combine(folder, labelFolder);
        var cases = new List<(int Number, DatasetCase Case)>();
        foreach (string file in LayoutFiles.Files(images))
        {
            var match = ImageName().Match(Path.GetFileName(file));
            if (!match.Success) continue;
            string number = match.Groups["n"].Value;
            string? mask = LayoutFiles.FindMask(labels, "lb" + number, [""], LayoutFiles.VolumeEndings);
            if (mask is null && masksRequired)
                throw new SoSegException($"{file} has no mask: expected {Path.Combine(labels, $"lb{number}.nii.gz")}.");
            if (!int.TryParse(number, System.Globalization.CultureInfo.InvariantCulture, out int caseNumber))
                throw new SoSegException($"{file}: case number {number} is too large.");
            cases.Add((caseNumber, new DatasetCase("im" + number, subset, [file], mask, null, IsVolume: true)));
        }
        return cases.OrderBy(c => c.Number).Select(c => c.Case).ToList();
    }
}
