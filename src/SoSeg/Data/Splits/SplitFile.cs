using System.Text.Json;
using System.Text.Json.Nodes;
using SoSeg.IO;

namespace SoSeg.Data.Splits;

/// <summary>
/// Reads and writes split files: splits_final.json in nnU-Net's form (a list of {"train": [ids], "val": [ids]})
/// and test_split.json ({"seed", "fraction", "train", "test"}). Written atomically; read back they make every
/// run repeat the same split.
/// </summary>
public static class SplitFile
{
    public const string FoldsFileName = "splits_final.json";
    public const string TestFileName = "test_split.json";

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static IReadOnlyList<SplitFold> ReadFolds(string path)
    {
        var root = JsonFile.Parse(path);
        if (root is not JsonArray array || array.Count == 0)
            throw new SoSegException($"{path}: expected a non-empty list of {{\"train\": [...], \"val\": [...]}} folds.");
        var folds = new List<SplitFold>();
        for (int i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject fold) throw new SoSegException($"{path}: fold {i} is not an object.");
            folds.Add(new SplitFold(Ids(fold, "train", path, i), Ids(fold, "val", path, i)));
        }
        return folds;
    }

    public static void WriteFolds(string path, IReadOnlyList<SplitFold> folds)
    {
        var array = new JsonArray(folds.Select(f => (JsonNode?)new JsonObject
        {
            ["train"] = new JsonArray(f.Train.Select(id => (JsonNode?)id).ToArray()),
            ["val"] = new JsonArray(f.Val.Select(id => (JsonNode?)id).ToArray()),
        }).ToArray());
        AtomicFile.WriteAllText(path, array.ToJsonString(Indented) + "\n");
    }

    public static TestSplit ReadTest(string path)
    {
        if (JsonFile.Parse(path) is not JsonObject json) throw new SoSegException($"{path}: expected a JSON object with \"train\" and \"test\" lists.");
        int seed;
        double fraction;
        try
        {
            seed = json["seed"]?.GetValue<int>() ?? 0;
            fraction = json["fraction"]?.GetValue<double>() ?? 0;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new SoSegException($"{path}: \"seed\" must be an integer and \"fraction\" a number.");
        }
        return new TestSplit(Ids(json, "train", path, null), Ids(json, "test", path, null), seed, fraction);
    }

    public static void WriteTest(string path, TestSplit split)
    {
        var json = new JsonObject
        {
            ["seed"] = split.Seed,
            ["fraction"] = split.Fraction,
            ["train"] = new JsonArray(split.Train.Select(id => (JsonNode?)id).ToArray()),
            ["test"] = new JsonArray(split.Test.Select(id => (JsonNode?)id).ToArray()),
        };
        AtomicFile.WriteAllText(path, json.ToJsonString(Indented) + "\n");
    }

    static IReadOnlyList<string> Ids(JsonObject json, string key, string path, int? fold)
    {
        string where = fold is null ? "" : $"fold {fold}: ";
        if (json[key] is not JsonArray array) throw new SoSegException($"{path}: {where}\"{key}\" must be a list of case ids.");
        var ids = new List<string>();
        foreach (var node in array)
        {
            if (node is not JsonValue value || !value.TryGetValue(out string? id) || string.IsNullOrEmpty(id))
                throw new SoSegException($"{path}: {where}\"{key}\" holds a value that is not a case id string.");
            ids.Add(id);
        }
        var duplicate = ids.GroupBy(i => i).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new SoSegException($"{path}: {where}case \"{duplicate.Key}\" is listed twice in \"{key}\".");
        return ids;
    }
}
