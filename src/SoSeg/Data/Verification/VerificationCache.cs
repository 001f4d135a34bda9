using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SoSeg.IO;

namespace SoSeg.Data.Verification;

/// <summary>Size and modification time of a file when it was checked.</summary>
public sealed record FileStamp(string Path, long Length, long ModifiedTicks)
{
    /// <summary>The file's stamp now, or null when it cannot be read.</summary>
    public static FileStamp? Of(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(path, info.Length, info.LastWriteTimeUtc.Ticks) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}

/// <summary>What the check of one case found: enough to decide dataset-wide problems (channels, duplicates) without decoding again.</summary>
/// <param name="Stamps">Every file of the case (images, then mask) as checked.</param>
/// <param name="ImageHashes">SHA-256 of each image file, in order (null where the file could not be read).</param>
/// <param name="Problems">Problems of the case's own files.</param>
public sealed record CaseFacts(IReadOnlyList<FileStamp?> Stamps, IReadOnlyList<string?> ImageHashes, IReadOnlyList<DatasetProblem> Problems);

/// <summary>
/// Remembers each case's check, keyed by the dataset's absolute path, so a second check of an unchanged
/// dataset decodes nothing: a case is reused when every one of its files has the size and modification time it
/// had when checked, and the dataset description and SoSeg's code are the same. The cache lives in the user's
/// cache folder ($XDG_CACHE_HOME/soseg/verified/, else ~/.cache/soseg/verified/), never in the dataset folder;
/// a missing, unreadable or unwritable cache is ignored.
/// </summary>
public sealed class VerificationCache
{
    /// <summary>Datasets remembered at most; the least recently checked are dropped first.</summary>
    public const int MaxDatasets = 200;

    static readonly JsonSerializerOptions JsonOptions = new() { Converters = { new JsonStringEnumConverter() } };
    readonly string? _folder;

    /// <param name="folder">Folder of the cache files, or null for no cache.</param>
    public VerificationCache(string? folder) => _folder = folder;

    /// <summary>$XDG_CACHE_HOME/soseg/verified, else ~/.cache/soseg/verified.</summary>
    public static string DefaultFolder => Path.Combine(UserCache.Folder, "verified");

    /// <summary>The cache in <see cref="DefaultFolder"/>.</summary>
    public static VerificationCache Default => new(DefaultFolder);

    /// <summary>No caching: every check decodes every file.</summary>
    public static VerificationCache None => new(null);

    sealed record Entry(string Dataset, string Settings, Dictionary<string, CaseFacts> Cases);

    /// <summary>The cache file of a dataset folder.</summary>
    public string? FileFor(string datasetRoot) =>
        _folder is null ? null : Path.Combine(_folder, Hash(Path.GetFullPath(datasetRoot))[..24] + ".json");

    /// <summary>The facts remembered for <paramref name="datasetRoot"/> under <paramref name="settings"/> (empty when none).</summary>
    public IReadOnlyDictionary<string, CaseFacts> Load(string datasetRoot, string settings)
    {
        string? path = FileFor(datasetRoot);
        if (path is null || !File.Exists(path)) return new Dictionary<string, CaseFacts>();
        try
        {
            var entry = JsonSerializer.Deserialize<Entry>(File.ReadAllText(path), JsonOptions);
            return entry is not null && entry.Settings == settings && entry.Dataset == Path.GetFullPath(datasetRoot)
                ? entry.Cases : new Dictionary<string, CaseFacts>();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return new Dictionary<string, CaseFacts>();
        }
    }

    /// <summary>Stores the facts of every case of <paramref name="datasetRoot"/> (replacing what was there), then drops the oldest datasets beyond <see cref="MaxDatasets"/>.</summary>
    public void Save(string datasetRoot, string settings, IReadOnlyDictionary<string, CaseFacts> cases)
    {
        string? path = FileFor(datasetRoot);
        if (path is null) return;
        try
        {
            Directory.CreateDirectory(_folder!);
            AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new Entry(Path.GetFullPath(datasetRoot), settings, new Dictionary<string, CaseFacts>(cases)), JsonOptions));
            foreach (var stale in new DirectoryInfo(_folder!).GetFiles("*.json").OrderByDescending(f => f.LastWriteTimeUtc).Skip(MaxDatasets))
                stale.Delete();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Lower-case hex SHA-256 of a string.</summary>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
