using SoSeg.Data.Images;

namespace SoSeg.Data.Datasets;

/// <summary>
/// Maps the label values stored in mask files (dataset.json "labels", e.g. background 0, liver 1, tumour 2)
/// to contiguous class indices 0..K-1 in value order, and back. The value 255 is the ignore label and stays 255.
/// </summary>
public sealed class LabelMap
{
    /// <summary>Class index and value of ignored pixels.</summary>
    public const byte Ignore = 255;

    readonly byte[] _classOfValue = new byte[256];
    readonly bool[] _known = new bool[256];
    readonly byte[] _valueOfClass;

    public LabelMap(IReadOnlyList<KeyValuePair<string, int>> labels)
    {
        if (labels.Count < 2) throw new ArgumentException("A label map needs background and at least one class.", nameof(labels));
        var sorted = labels.OrderBy(l => l.Value).ToArray();
        if (sorted[0].Value != 0) throw new ArgumentException("The background label must have value 0.", nameof(labels));
        Names = sorted.Select(l => l.Key).ToArray();
        _valueOfClass = new byte[sorted.Length];
        for (int index = 0; index < sorted.Length; index++)
        {
            int value = sorted[index].Value;
            if (value is < 0 or > 254) throw new ArgumentException($"Label \"{sorted[index].Key}\" = {value} is outside 0..254.", nameof(labels));
            if (_known[value]) throw new ArgumentException($"Two labels share the value {value}.", nameof(labels));
            _known[value] = true;
            _classOfValue[value] = (byte)index;
            _valueOfClass[index] = (byte)value;
        }
        _known[Ignore] = true;
        _classOfValue[Ignore] = Ignore;
    }

    /// <summary>The label map of a dataset.json.</summary>
    public static LabelMap From(DatasetManifest manifest) => new(manifest.Labels);

    /// <summary>Class names in class-index order ("background" first).</summary>
    public IReadOnlyList<string> Names { get; }
    public int NumClasses => _valueOfClass.Length;

    /// <summary>The value stored in files for class <paramref name="classIndex"/> (255 stays 255).</summary>
    public byte ValueOf(int classIndex) => classIndex == Ignore ? Ignore : _valueOfClass[classIndex];

    /// <summary>
    /// Replaces label values by class indices in place; values missing from the labels fail with a
    /// <see cref="SoSegException"/> naming <paramref name="path"/>, the values and their pixel counts.
    /// </summary>
    public void ToClassesInPlace(Span<byte> values, string path)
    {
        var known = _known;
        for (int i = 0; i < values.Length; i++)
            if (!known[values[i]]) throw UnknownValues(values, path);
        var table = _classOfValue;
        for (int i = 0; i < values.Length; i++) values[i] = table[values[i]];
    }

    /// <summary>Class indices to label values (for writing predictions); 255 stays 255.</summary>
    public byte[] ToValues(ReadOnlySpan<byte> classes)
    {
        var values = new byte[classes.Length];
        for (int i = 0; i < classes.Length; i++)
        {
            byte c = classes[i];
            if (c != Ignore && c >= _valueOfClass.Length) throw new ArgumentException($"Class index {c} is outside 0..{NumClasses - 1}.", nameof(classes));
            values[i] = c == Ignore ? Ignore : _valueOfClass[c];
        }
        return values;
    }

    /// <summary>Packed 0xRRGGBB colour -> label value, from dataset.json's colour_map.</summary>
    public static IReadOnlyDictionary<int, byte> ColourTable(DatasetManifest manifest, string manifestPath)
    {
        if (manifest.ColourMap is null) throw new ArgumentException("The manifest has no colour map.", nameof(manifest));
        var table = new Dictionary<int, byte>();
        foreach (var (name, rgb) in manifest.ColourMap)
        {
            int value = manifest.Labels.First(l => l.Key == name).Value;
            int packed = MaskReader.Pack(rgb[0], rgb[1], rgb[2]);
            if (table.TryGetValue(packed, out byte other))
                throw new SoSegException($"{manifestPath}: colour_map gives labels {other} and {value} the same colour [{rgb[0]}, {rgb[1]}, {rgb[2]}].");
            table[packed] = (byte)value;
        }
        var missing = manifest.Labels.Where(l => !manifest.ColourMap.ContainsKey(l.Key)).Select(l => l.Key).ToArray();
        if (missing.Length > 0) throw new SoSegException($"{manifestPath}: colour_map has no colour for label(s) {string.Join(", ", missing)}.");
        return table;
    }

    SoSegException UnknownValues(ReadOnlySpan<byte> values, string path)
    {
        var counts = new long[256];
        foreach (byte v in values)
            if (!_known[v]) counts[v]++;
        var unknown = Enumerable.Range(0, 256).Where(v => counts[v] > 0).Select(v => $"{v} ({counts[v]} pixels)").ToArray();
        var allowed = _valueOfClass.Select((v, i) => $"{v} {Names[i]}");
        return new SoSegException($"{path}: label value(s) {string.Join(", ", unknown.Take(8))}{(unknown.Length > 8 ? ", ..." : "")} " +
                                  $"are not in dataset.json's labels ({string.Join(", ", allowed)}; 255 = ignore).");
    }
}
