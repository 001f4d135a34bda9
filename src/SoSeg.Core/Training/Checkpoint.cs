using System.IO.Compression;
using System.Text.Json;
using SoSeg.IO;
using SoSeg.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Training;

/// <summary>What a checkpoint says about itself (state.json inside the file).</summary>
public sealed record CheckpointInfo
{
    public const string CurrentFormat = "soseg-checkpoint/1";
    public string Format { get; init; } = CurrentFormat;
    public required string Model { get; init; }
    public Dictionary<string, string> ModelOptions { get; init; } = new();
    public required int InChannels { get; init; }
    public required int NumClasses { get; init; }
    /// <summary>Class names in index order (index 0 = background).</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }
    /// <summary>Label value in the dataset's mask files for each class index.</summary>
    public IReadOnlyList<int> LabelValues { get; init; } = [];
    /// <summary>Epochs completed when this was written.</summary>
    public int Epoch { get; init; }
    /// <summary>Optimizer steps taken when this was written.</summary>
    public long Step { get; init; }
    public string ScoreName { get; init; } = "val_mDice";
    public double? Score { get; init; }
    public double? BestScore { get; init; }
    public int? BestEpoch { get; init; }
    /// <summary>Training crop: the sliding-window size used by prediction.</summary>
    public int CropSize { get; init; } = 512;
    public string Dataset { get; init; } = "";
    public string CreatedUtc { get; init; } = DateTime.UtcNow.ToString("O");
    public string SoSegVersion { get; init; } = typeof(CheckpointInfo).Assembly.GetName().Version?.ToString(3) ?? "";
}

/// <summary>
/// A checkpoint is one file (a zip, stored uncompressed, like PyTorch's .pt): state.json, model.bin
/// (TorchSharp state dict) and, for `last`, optimizer.bin. One file can be written atomically, so a
/// crash never leaves weights and state from different epochs side by side.
/// </summary>
public static class Checkpoint
{
    const string StateEntry = "state.json";
    const string ModelEntry = "model.bin";
    const string OptimizerEntry = "optimizer.bin";
    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Writes model weights, info and (optionally) optimizer state to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, SegmentationModel model, CheckpointInfo info, TorchSharp.Modules.OptimizerHelper? optimizer = null)
    {
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var entry = zip.CreateEntry(StateEntry, CompressionLevel.NoCompression).Open())
                JsonSerializer.Serialize(entry, info, JsonOptions);
            using (var entry = zip.CreateEntry(ModelEntry, CompressionLevel.NoCompression).Open())
            using (var writer = new BinaryWriter(entry))
                model.save(writer);
            if (optimizer is not null)
            {
                using var entry = zip.CreateEntry(OptimizerEntry, CompressionLevel.NoCompression).Open();
                using var writer = new BinaryWriter(entry);
                optimizer.save_state_dict(writer);
            }
        });
    }

    /// <summary>Reads state.json only.</summary>
    public static CheckpointInfo ReadInfo(string path)
    {
        using var zip = Open(path);
        return ReadInfo(zip, path);
    }

    /// <summary>Rebuilds the model the checkpoint was made with, loads its weights, moves it to the device, eval mode.</summary>
    public static (SegmentationModel Model, CheckpointInfo Info) LoadModel(string path, Device device)
    {
        using var zip = Open(path);
        var info = ReadInfo(zip, path);
        var model = ModelRegistry.Create(info.Model, info.InChannels, info.NumClasses, Models.ModelOptions.Parse(info.ModelOptions.Select(kv => $"{kv.Key}={kv.Value}")));
        LoadWeights(zip, path, model);
        model.to(device);
        model.eval();
        return (model, info);
    }

    /// <summary>Loads weights into an existing model of the same architecture.</summary>
    public static void LoadWeights(string path, SegmentationModel model)
    {
        using var zip = Open(path);
        LoadWeights(zip, path, model);
    }

    /// <summary>Restores optimizer state saved with `last`.</summary>
    public static void LoadOptimizer(string path, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        using var zip = Open(path);
        var entry = zip.GetEntry(OptimizerEntry) ?? throw new SoSegException($"{path}: holds no optimizer state (only `last` checkpoints do); cannot resume from it.");
        using var stream = entry.Open();
        using var reader = new BinaryReader(stream);
        try { optimizer.load_state_dict(reader); }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or EndOfStreamException)
        {
            throw new SoSegException($"{path}: optimizer state does not fit this model/optimizer ({e.Message}).");
        }
    }

    static void LoadWeights(ZipArchive zip, string path, SegmentationModel model)
    {
        var entry = zip.GetEntry(ModelEntry) ?? throw new SoSegException($"{path}: no {ModelEntry} inside; not a SoSeg checkpoint.");
        using var stream = entry.Open();
        using var reader = new BinaryReader(stream);
        try { model.load(reader, strict: true); }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or EndOfStreamException or InvalidOperationException)
        {
            throw new SoSegException($"{path}: weights do not fit model {model.GetName()} ({e.Message}).");
        }
    }

    static ZipArchive Open(string path)
    {
        if (Directory.Exists(path)) throw new SoSegException($"{path}: is a folder, not a checkpoint file (a run's checkpoints are in {Path.Combine(path, "checkpoints")}).");
        if (!File.Exists(path)) throw new SoSegException($"{path}: checkpoint not found.");
        try { return ZipFile.OpenRead(path); }
        catch (InvalidDataException) { throw new SoSegException($"{path}: not a SoSeg checkpoint (not a zip file, or truncated)."); }
    }

    static CheckpointInfo ReadInfo(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(StateEntry) ?? throw new SoSegException($"{path}: no {StateEntry} inside; not a SoSeg checkpoint.");
        using var stream = entry.Open();
        CheckpointInfo? info;
        try { info = JsonSerializer.Deserialize<CheckpointInfo>(stream, JsonOptions); }
        catch (JsonException e) { throw new SoSegException($"{path}: {StateEntry} is not valid ({e.Message})."); }
        if (info is null || info.Format != CheckpointInfo.CurrentFormat)
            throw new SoSegException($"{path}: unknown checkpoint format '{info?.Format}' (this SoSeg reads {CheckpointInfo.CurrentFormat}).");
        return info;
    }
}
