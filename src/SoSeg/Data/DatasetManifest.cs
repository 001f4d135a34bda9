using System.Text.Json;
using System.Text.Json.Nodes;
using SoSeg.IO;

namespace SoSeg.Data;

/// <summary>
/// dataset.json of SoSeg's layout, a superset of nnU-Net v2's: channel_names, labels (name -> value,
/// background 0), numTraining, file_ending; plus SoSeg's name, description, modality, numTest and an
/// optional colour map for colour-coded masks (label name -> [r, g, b]).
/// <code>
/// Dataset/
///   dataset.json
///   imagesTr/CASE_0000.png   (one file per case: grey or RGB PNG/JPEG/BMP, or a .nii/.nii.gz volume)
///   labelsTr/CASE.png        (class values as in "labels"; .nii.gz for volumes)
///   imagesTs/CASE_0000.png
///   labelsTs/CASE.png        (optional)
/// </code>
/// </summary>
public sealed record DatasetManifest
{
    public const string FileName = "dataset.json";

    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    /// <summary>Free text: "MRI", "colonoscopy", "microscopy"...</summary>
    public string Modality { get; init; } = "";
    /// <summary>Channel index -> name, e.g. {0: "R", 1: "G", 2: "B"} or {0: "T1"}.</summary>
    public IReadOnlyList<string> ChannelNames { get; init; } = ["grey"];
    /// <summary>Label name -> value in the mask files; "background" is 0.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Labels { get; init; } = [new("background", 0), new("foreground", 1)];
    /// <summary>Label name -> RGB colour when masks are colour-coded instead of holding values.</summary>
    public IReadOnlyDictionary<string, byte[]>? ColourMap { get; init; }
    public int NumTraining { get; init; }
    public int NumTest { get; init; }
    /// <summary>".png", ".jpg", ".bmp", ".nii.gz" or ".nii".</summary>
    public string FileEnding { get; init; } = ".png";

    public int Channels => ChannelNames.Count;
    public int NumClasses => Labels.Count;

    public static DatasetManifest Read(string path)
    {
        if (JsonFile.Parse(path) is not JsonObject json) throw new SoSegException($"{path}: expected a JSON object.");

        var channels = new List<string>();
        if (json["channel_names"] is JsonObject channelObject)
            foreach (var (key, value) in channelObject.OrderBy(kv => int.TryParse(kv.Key, out int k) ? k : int.MaxValue))
                channels.Add(value?.GetValue<string>() ?? key);
        if (channels.Count == 0) throw new SoSegException($"{path}: \"channel_names\" is missing or empty.");

        var labels = new List<KeyValuePair<string, int>>();
        if (json["labels"] is JsonObject labelObject)
            foreach (var (name, value) in labelObject)
            {
                if (value is not JsonValue v || !v.TryGetValue(out int number))
                    throw new SoSegException($"{path}: label \"{name}\" must map to one integer value (region labels are not supported).");
                if (number is < 0 or > 254) throw new SoSegException($"{path}: label \"{name}\" = {number} is outside 0..254 (255 is the ignore label).");
                labels.Add(new(name, number));
            }
        if (labels.Count < 2) throw new SoSegException($"{path}: \"labels\" must list background and at least one class.");
        if (labels.All(l => l.Value != 0)) throw new SoSegException($"{path}: \"labels\" must contain a background with value 0.");
        if (labels.Select(l => l.Value).Distinct().Count() != labels.Count) throw new SoSegException($"{path}: two labels share a value.");
        labels.Sort((a, b) => a.Value.CompareTo(b.Value));

        Dictionary<string, byte[]>? colours = null;
        if (json["colour_map"] is JsonObject colourObject)
        {
            colours = new Dictionary<string, byte[]>();
            foreach (var (name, value) in colourObject)
            {
                if (labels.All(l => l.Key != name)) throw new SoSegException($"{path}: colour_map names \"{name}\", which is not in \"labels\".");
                var rgb = value?.AsArray().Select(c => (byte)c!.GetValue<int>()).ToArray();
                if (rgb is not { Length: 3 }) throw new SoSegException($"{path}: colour of \"{name}\" must be [r, g, b].");
                colours[name] = rgb;
            }
        }

        return new DatasetManifest
        {
            Name = json["name"]?.GetValue<string>() ?? Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "",
            Description = json["description"]?.GetValue<string>() ?? "",
            Modality = json["modality"]?.GetValue<string>() ?? "",
            ChannelNames = channels,
            Labels = labels,
            ColourMap = colours,
            NumTraining = json["numTraining"]?.GetValue<int>() ?? 0,
            NumTest = json["numTest"]?.GetValue<int>() ?? 0,
            FileEnding = json["file_ending"]?.GetValue<string>() ?? ".png",
        };
    }

    public void Write(string path)
    {
        var json = new JsonObject
        {
            ["name"] = Name,
            ["description"] = Description,
            ["modality"] = Modality,
            ["channel_names"] = new JsonObject(ChannelNames.Select((c, i) => new KeyValuePair<string, JsonNode?>(i.ToString(), c))),
            ["labels"] = new JsonObject(Labels.Select(l => new KeyValuePair<string, JsonNode?>(l.Key, l.Value))),
            ["numTraining"] = NumTraining,
            ["numTest"] = NumTest,
            ["file_ending"] = FileEnding,
        };
        if (ColourMap is not null)
            json["colour_map"] = new JsonObject(ColourMap.Select(kv =>
                new KeyValuePair<string, JsonNode?>(kv.Key, new JsonArray(kv.Value.Select(b => (JsonNode?)(int)b).ToArray()))));
        AtomicFile.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
