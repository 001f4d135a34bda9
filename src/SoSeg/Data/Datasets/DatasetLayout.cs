using System.Text.Json;
using System.Text.Json.Serialization;

namespace SoSeg.Data.Datasets;

/// <summary>
/// A folder layout SoSeg reads, by name (docs/data.md shows each). The built-in ones are fields here; a new one is
/// a reader (<see cref="IDatasetLayoutReader"/>) registered in <see cref="DatasetLayouts"/>. Serialised by name in JSON.
/// </summary>
[JsonConverter(typeof(DatasetLayoutJsonConverter))]
public readonly record struct DatasetLayout(string Name)
{
    /// <summary>Detect from the folder's contents.</summary>
    public static readonly DatasetLayout Auto = new("Auto");
    /// <summary>SoSeg's own, nnU-Net style: dataset.json, imagesTr/CASE_0000.EXT, labelsTr/CASE.EXT, imagesTs/, labelsTs/.</summary>
    public static readonly DatasetLayout SoSeg = new("SoSeg");
    /// <summary>The PolypGen release: data_C1..data_C6/images_Ck/NAME.jpg with masks_Ck/NAME_mask.jpg.</summary>
    public static readonly DatasetLayout PolypGen = new("PolypGen");
    /// <summary>images/ + masks/ pairs by file name (Kvasir-SEG, CVC-ClinicDB), optionally under train/ and test/.</summary>
    public static readonly DatasetLayout ImagesMasks = new("ImagesMasks");
    /// <summary>The ATLAS liver release: imagesTr/imN.nii.gz with labelsTr/lbN.nii.gz (liver 1, tumour 2).</summary>
    public static readonly DatasetLayout Atlas = new("Atlas");

    public override string ToString() => Name ?? Auto.Name;

    // A default value (no name) is Auto.
    public bool Equals(DatasetLayout other) => string.Equals(ToString(), other.ToString(), StringComparison.Ordinal);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());
}

/// <summary>Writes a layout as its name; reads any registered name (or Auto), case-insensitively.</summary>
internal sealed class DatasetLayoutJsonConverter : JsonConverter<DatasetLayout>
{
    public override DatasetLayout Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (name is not null && string.Equals(name, DatasetLayout.Auto.Name, StringComparison.OrdinalIgnoreCase)) return DatasetLayout.Auto;
        return DatasetLayouts.All.FirstOrDefault(r => string.Equals(r.Layout.Name, name, StringComparison.OrdinalIgnoreCase))?.Layout
               ?? throw new JsonException($"unknown dataset layout '{name}' (known: {string.Join(", ", DatasetLayouts.All.Select(r => r.Layout.Name))}).");
    }

    public override void Write(Utf8JsonWriter writer, DatasetLayout value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
