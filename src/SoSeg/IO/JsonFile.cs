using System.Text.Json;
using System.Text.Json.Nodes;

namespace SoSeg.IO;

/// <summary>Reads the small JSON files of a dataset (dataset.json, split files) with one error message for bad JSON.</summary>
internal static class JsonFile
{
    /// <summary>The parsed file; invalid JSON fails with a <see cref="SoSegException"/> naming <paramref name="path"/>.</summary>
    public static JsonNode? Parse(string path)
    {
        try { return JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new SoSegException($"{path}: not valid JSON ({e.Message})."); }
    }
}
