using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using SoSeg.IO;
using SoSeg.Models;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Checkpoints;

/// <summary>What a checkpoint says about itself (state.json inside the file).</summary>
public sealed record CheckpointInfo
{
    public const string CurrentFormat = "soseg-checkpoint/2";
    /// <summary>Written before checkpoints carried checksums; still read, unverified.</summary>
    public const string FormatWithoutChecksums = "soseg-checkpoint/1";
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
    /// <summary>The sliding window its validation predicted with (by default the training crop); prediction's default window.</summary>
    public int WindowSize { get; init; } = 512;
    // Older checkpoints wrote the training crop, which was also their validation window; read as the window, never written.
    [JsonInclude, JsonPropertyName("cropSize"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    int? LegacyCropSize { get => null; init { if (value is int crop) WindowSize = crop; } }
    public string Dataset { get; init; } = "";
    public string CreatedUtc { get; init; } = DateTime.UtcNow.ToString("O");
    public string SoSegVersion { get; init; } = typeof(CheckpointInfo).Assembly.GetName().Version?.ToString(3) ?? "";
    /// <summary>metrics.csv up to <see cref="Epoch"/>: travels with the weights so a resume can restore rows a crash lost.</summary>
    public IReadOnlyList<EpochRecord>? Epochs { get; init; }
    /// <summary>True for a checkpoint of the older format, which has no checksums: it was loaded without verification.</summary>
    [JsonIgnore] public bool Unverified => Format == FormatWithoutChecksums;

    /// <summary>The note to show when <see cref="Unverified"/>.</summary>
    public static string UnverifiedNote(string path) =>
        $"note: {path} was written by an older SoSeg without checksums; it is loaded without verifying its contents.";
}

/// <summary>
/// A checkpoint is one file (a zip, stored uncompressed, like PyTorch's .pt): state.json, model.bin
/// (TorchSharp state dict), for `last` optimizer.bin, and checksums.json (SHA-256 of each of the others).
/// One file can be written atomically, so a crash never leaves weights and state from different epochs
/// side by side; every read verifies the checksums first, so a damaged file (a flipped bit, a bad copy)
/// is refused by name instead of predicting with wrong weights.
/// </summary>
public static class Checkpoint
{
    const string StateEntry = "state.json";
    const string ModelEntry = "model.bin";
    const string OptimizerEntry = "optimizer.bin";
    const string ChecksumEntry = "checksums.json";
    static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // Validation metrics can be NaN (no foreground anywhere).
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes model weights, info and (optionally) optimizer state to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, SegmentationModel model, CheckpointInfo info, TorchSharp.Modules.OptimizerHelper? optimizer = null)
    {
        info = info with { Format = CheckpointInfo.CurrentFormat };
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            var checksums = new SortedDictionary<string, string>(StringComparer.Ordinal);
            void Entry(string name, Action<Stream> write)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                using var hashing = new HashingStream(entry);
                write(hashing);
                checksums[name] = hashing.Hex();
            }
            Entry(StateEntry, s => JsonSerializer.Serialize(s, info, JsonOptions));
            Entry(ModelEntry, s => { using var writer = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true); model.save(writer); });
            if (optimizer is not null)
                Entry(OptimizerEntry, s => { using var writer = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true); optimizer.save_state_dict(writer); });
            using var sums = zip.CreateEntry(ChecksumEntry, CompressionLevel.NoCompression).Open();
            JsonSerializer.Serialize(sums, checksums, JsonOptions);
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
        var model = ModelRegistry.Create(info.Model, info.InChannels, info.NumClasses, new Models.ModelOptions(info.ModelOptions));
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

    /// <summary>Opens a checkpoint and verifies every entry against its checksum before anything is read from it.</summary>
    static ZipArchive Open(string path)
    {
        if (Directory.Exists(path)) throw new SoSegException($"{path}: is a folder, not a checkpoint file (a run's checkpoints are in {Path.Combine(path, "checkpoints")}).");
        if (!File.Exists(path)) throw new SoSegException($"{path}: checkpoint not found.");
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(path); }
        catch (InvalidDataException) { throw new SoSegException($"{path}: not a SoSeg checkpoint (not a zip file, or truncated)."); }
        try
        {
            Verify(zip, path);
            return zip;
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    static void Verify(ZipArchive zip, string path)
    {
        var sums = zip.GetEntry(ChecksumEntry);
        if (sums is null)
        {
            // Only the older format may lack checksums; state.json says which format this is.
            if (ReadInfo(zip, path).Unverified) return;
            throw Damaged(path, $"its {ChecksumEntry} is missing");
        }
        Dictionary<string, string>? expected;
        try
        {
            using var stream = sums.Open();
            expected = JsonSerializer.Deserialize<Dictionary<string, string>>(stream, JsonOptions);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException) { throw Damaged(path, $"its {ChecksumEntry} is unreadable"); }
        if (expected is null || !expected.ContainsKey(StateEntry) || !expected.ContainsKey(ModelEntry)) throw Damaged(path, $"its {ChecksumEntry} is incomplete");
        foreach (var (name, checksum) in expected)
        {
            var entry = zip.GetEntry(name) ?? throw Damaged(path, $"{name} is missing");
            string actual;
            try
            {
                using var stream = entry.Open();
                actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            }
            catch (Exception e) when (e is InvalidDataException or IOException) { throw Damaged(path, $"{name} is unreadable ({e.Message})"); }
            if (!string.Equals(actual, checksum, StringComparison.OrdinalIgnoreCase)) throw Damaged(path, $"{name} does not match its checksum");
        }
    }

    static SoSegException Damaged(string path, string what) =>
        new($"{path}: the checkpoint is damaged ({what}); it cannot be used. Use another copy, or for a run its other checkpoint (best.ckpt or last.ckpt).");

    static CheckpointInfo ReadInfo(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(StateEntry) ?? throw new SoSegException($"{path}: no {StateEntry} inside; not a SoSeg checkpoint.");
        using var stream = entry.Open();
        CheckpointInfo? info;
        try { info = JsonSerializer.Deserialize<CheckpointInfo>(stream, JsonOptions); }
        catch (JsonException e) { throw new SoSegException($"{path}: {StateEntry} is not valid ({e.Message})."); }
        if (info is null || (info.Format != CheckpointInfo.CurrentFormat && info.Format != CheckpointInfo.FormatWithoutChecksums))
            throw new SoSegException($"{path}: unknown checkpoint format '{info?.Format}' (this SoSeg reads {CheckpointInfo.CurrentFormat} and {CheckpointInfo.FormatWithoutChecksums}).");
        return info;
    }

    /// <summary>Passes writes through to the zip entry, computing their SHA-256 on the way.</summary>
    sealed class HashingStream(Stream inner) : Stream
    {
        readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        public string Hex() => Convert.ToHexStringLower(_hash.GetHashAndReset());
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            inner.Write(buffer);
        }
        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
