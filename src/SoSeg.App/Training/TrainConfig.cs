using System.Text.Json;
using System.Text.Json.Serialization;
using SoSeg.Data.Datasets;
using SoSeg.Inference;
using SoSeg.IO;
using SoSeg.Training;

namespace SoSeg.App.Training;

/// <summary>config.json of a run: the dataset, how it is read, the training options and how validation predicts.</summary>
public sealed record TrainConfig
{
    /// <summary>Dataset folder (absolute).</summary>
    public required string Data { get; init; }
    public DatasetOptions Dataset { get; init; } = new();
    /// <summary>A splits file the user chose (`train --splits`, absolute), used instead of the dataset's splits_final.json; null: the dataset's.</summary>
    public string? Splits { get; init; }
    public TrainingOptions Training { get; init; } = new();
    public PredictionOptions Validation { get; init; } = new();
    public string SoSegVersion { get; init; } = typeof(TrainConfig).Assembly.GetName().Version?.ToString(3) ?? "";

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
