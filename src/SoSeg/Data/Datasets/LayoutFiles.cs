using SoSeg.Data.Images;

namespace SoSeg.Data.Datasets;

/// <summary>File listing helpers shared by the layouts.</summary>
internal static class LayoutFiles
{
    /// <summary>Endings a 2-D image or mask may have, in the order masks are looked for.</summary>
    public static IReadOnlyList<string> ImageEndings => ImageReader.Extensions;

    /// <summary>Endings of NIfTI volumes.</summary>
    public static readonly string[] VolumeEndings = [".nii.gz", ".nii"];

    /// <summary>Visible files of a folder, sorted ordinally (hidden files such as .DS_Store are skipped).</summary>
    public static string[] Files(string folder)
    {
        if (!Directory.Exists(folder)) return [];
        var files = Directory.GetFiles(folder).Where(f => !Path.GetFileName(f).StartsWith('.')).ToArray();
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>The ending of <paramref name="path"/> among <paramref name="endings"/> (case-insensitive), or null.</summary>
    public static string? EndingOf(string path, IEnumerable<string> endings) =>
        endings.FirstOrDefault(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>File name without the given ending.</summary>
    public static string Stem(string path, string ending) => Path.GetFileName(path)[..^ending.Length];

    /// <summary>Image files (PNG, JPEG, BMP, TIFF) of a folder.</summary>
    public static string[] Images(string folder) => Files(folder).Where(ImageReader.IsImagePath).ToArray();

    /// <summary>The first existing file among stem + suffix + ending, or null.</summary>
    public static string? FindMask(string folder, string stem, IEnumerable<string> suffixes, IEnumerable<string> endings)
    {
        foreach (string suffix in suffixes)
            foreach (string ending in endings)
            {
                string candidate = Path.Combine(folder, stem + suffix + ending);
                if (File.Exists(candidate)) return candidate;
                string upper = Path.Combine(folder, stem + suffix + ending.ToUpperInvariant());
                if (File.Exists(upper)) return upper;
            }
        return null;
    }

    /// <summary>Throws when cases share an id, naming every shared id and its files.</summary>
    public static void CheckUniqueIds(IEnumerable<DatasetCase> cases, string root)
    {
        var duplicates = cases.GroupBy(c => c.Id).Where(g => g.Count() > 1).ToList();
        if (duplicates.Count > 0)
            throw new SoSegException($"{root}: case ids must be unique, but " + string.Join("; ",
                duplicates.Select(d => $"\"{d.Key}\" is the id of {string.Join(", ", d.Select(c => c.ImagePaths[0]))}")) + ".");
    }
}
