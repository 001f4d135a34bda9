using System.Text.Json;
using System.Text.Json.Serialization;
using SoSeg.Data.Datasets;
using SoSeg.Inference;
using SoSeg.IO;
using SoSeg.Training;

namespace SoSeg.App.Training;

/// <summary>config.json of a run: the dataset, how it is read and the training options (validation's prediction included).</summary>
public sealed record TrainConfig : IJsonOnDeserialized
{
    /// <summary>Dataset folder (absolute).</summary>
    public required string Data { get; init; }
    public DatasetOptions Dataset { get; init; } = new();
    /// <summary>A splits file the user chose (`train --splits`, absolute), used instead of the dataset's splits_final.json; null: the dataset's.</summary>
    public string? Splits { get; init; }
    public TrainingOptions Training { get => _training; init => _training = value; }
    TrainingOptions _training = new();
    public string SoSegVersion { get; init; } = typeof(TrainConfig).Assembly.GetName().Version?.ToString(3) ?? "";

    // Older config.json files kept validation's prediction options next to the training options; read into them, never written.
    [JsonInclude, JsonPropertyName("validation"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    PredictionOptions? LegacyValidation { get; set; }

    void IJsonOnDeserialized.OnDeserialized()
    {
        if (LegacyValidation is { } validation && _training.Validation is null) _training = _training with { Validation = validation };
        LegacyValidation = null;
    }

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions) + "\n");

    public static TrainConfig Read(string path)
    {
        if (!File.Exists(path)) throw new SoSegException($"{path}: not found; is this a SoSeg run folder?");
        try
        {
            return JsonSerializer.Deserialize<TrainConfig>(File.ReadAllText(path), JsonOptions)
                   ?? throw new SoSegException($"{path}: empty run configuration.");
        }
        catch (JsonException e) { throw new SoSegException($"{path}: not a valid run configuration ({e.Message})."); }
    }
}
