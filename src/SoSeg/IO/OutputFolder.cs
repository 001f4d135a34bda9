using System.Text.Json;
using System.Text.Json.Serialization;

namespace SoSeg.IO;

/// <summary>What SoSeg made a folder for; written into the folder's marker file.</summary>
public enum OutputKind { Run, Report, Predictions, Evaluation, Demo, Dataset }

/// <summary>The marker file SoSeg writes into every folder it creates (<see cref="OutputFolder.MarkerName"/>).</summary>
public sealed record OutputMarker
{
    [JsonConverter(typeof(JsonStringEnumConverter<OutputKind>))]
    public required OutputKind Kind { get; init; }
    /// <summary>The command that made the folder, e.g. "soseg train".</summary>
    public required string Command { get; init; }
    public string CreatedUtc { get; init; } = DateTime.UtcNow.ToString("O");
    public string SoSegVersion { get; init; } = typeof(OutputMarker).Assembly.GetName().Version?.ToString(3) ?? "";
}

/// <summary>
/// The one guard every command passes before it writes a folder, so nothing a user made is overwritten:
/// <list type="bullet">
/// <item>a new or empty folder is created and marked (<c>.soseg-output.json</c>: kind and command);</item>
/// <item>a folder SoSeg marked as the same kind is reused (a report, predictions or an evaluation written again);</item>
/// <item>any other non-empty folder is refused, naming it, unless the user passes --force;</item>
/// <item>a folder that is, contains or lies inside an input the command reads is refused unless --force.</item>
/// </list>
/// All checks run before the command does any work, and none of them writes anything.
/// </summary>
public static class OutputFolder
{
    public const string MarkerName = ".soseg-output.json";
    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    static readonly StringComparison PathComparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    /// <summary>
    /// Refuses <paramref name="folder"/> as the output of <paramref name="command"/> unless it is new, empty, already a
    /// SoSeg folder of <paramref name="kind"/>, or <paramref name="force"/> is set; and refuses it when it overlaps one of
    /// <paramref name="inputs"/> (files or folders the command reads) unless forced. With <paramref name="reuse"/> off, even a
    /// folder of the same kind needs --force (a dataset, which runs depend on). Writes nothing.
    /// </summary>
    public static void Check(string folder, OutputKind kind, string command, bool force, IEnumerable<string>? inputs = null, bool reuse = true)
    {
        string full = Path.GetFullPath(folder);
        if (File.Exists(full)) throw new SoSegException($"{full}: is a file; {command} writes a folder here.");
        if (!force) RefuseOverlap(full, inputs ?? [], command);
        if (!Directory.Exists(full) || force || IsEmpty(full)) return;
        var marker = ReadMarker(full);
        if (marker is null)
            throw SettingError.Naming(new SoSegException($"{full}: the folder is not empty and was not made by SoSeg (no {MarkerName}); " +
                                     $"{command} writes only into a new or empty folder. Choose another folder, or pass Force to write into it anyway."), "Force");
        if (marker.Kind == kind && !reuse)
            throw SettingError.Naming(new SoSegException($"{full}: the folder is not empty (a {Describe(kind)} made by {marker.Command}); choose another folder, or pass Force to replace it."), "Force");
        if (marker.Kind != kind)
            throw SettingError.Naming(new SoSegException($"{full}: is a SoSeg {Describe(marker.Kind)} (made by {marker.Command}), not a {Describe(kind)}; " +
                                     "choose another folder, or pass Force to write into it anyway."), "Force");
    }

    /// <summary><see cref="Check"/>, then creates the folder and marks it as a <paramref name="kind"/> (unless already marked so). Returns the full path.</summary>
    public static string Claim(string folder, OutputKind kind, string command, bool force, IEnumerable<string>? inputs = null, bool reuse = true)
    {
        Check(folder, kind, command, force, inputs, reuse);
        string full = Path.GetFullPath(folder);
        bool created = !Directory.Exists(full);
        Directory.CreateDirectory(full);
        if (created && Path.GetDirectoryName(full) is { } parent) DirectorySync.Flush(parent);
        Mark(full, kind, command);
        return full;
    }

    /// <summary>Marks a folder SoSeg made before it wrote markers (a run found by its config.json), so later commands recognise it.</summary>
    public static void Mark(string folder, OutputKind kind, string command)
    {
        if (ReadMarker(folder)?.Kind == kind) return;
        AtomicFile.WriteAllText(Path.Combine(folder, MarkerName), JsonSerializer.Serialize(new OutputMarker { Kind = kind, Command = command }, JsonOptions) + "\n");
    }

    /// <summary>The folder's marker, or null when it has none; a damaged marker is an error naming it.</summary>
    public static OutputMarker? ReadMarker(string folder)
    {
        string path = Path.Combine(folder, MarkerName);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<OutputMarker>(File.ReadAllText(path), JsonOptions); }
        catch (JsonException e) { throw new SoSegException($"{path}: damaged SoSeg folder marker ({e.Message}); remove it or choose another folder."); }
    }

    /// <summary>
    /// Refuses to write any of <paramref name="outputs"/> when it is one of <paramref name="inputs"/>, even with --force:
    /// a command never replaces a file it is reading.
    /// </summary>
    public static void RefuseOverwritingInputs(IEnumerable<string> outputs, IEnumerable<string> inputs, string command)
    {
        var read = inputs.Select(Canonical).ToHashSet(OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
        foreach (string output in outputs)
            if (read.Contains(Canonical(output)))
                throw SettingError.Naming(new SoSegException($"{Path.GetFullPath(output)}: is an input of {command} and would be overwritten by its output; choose another Output."), "Output");
    }

    /// <summary>True when the folder holds nothing but SoSeg's own bookkeeping (marker, lock, unfinished temporary files).</summary>
    static bool IsEmpty(string folder) =>
        !Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName)
            .Any(name => !(name!.StartsWith(".soseg-", StringComparison.Ordinal) || AtomicFile.IsTemporary(name!)));

    static void RefuseOverlap(string output, IEnumerable<string> inputs, string command)
    {
        string outputPath = Canonical(output);
        foreach (string input in inputs)
        {
            string inputPath = Canonical(input);
            string relation = string.Equals(outputPath, inputPath, PathComparison) ? $"is also an input of {command}"
                : IsInside(inputPath, outputPath) ? $"contains {Path.GetFullPath(input)}, an input of {command}"
                : Directory.Exists(inputPath) && IsInside(outputPath, inputPath) ? $"is inside {Path.GetFullPath(input)}, an input of {command}" : "";
            if (relation.Length > 0)
                throw SettingError.Naming(new SoSegException($"{output}: {relation}; write the output elsewhere (or pass Force if you mean it)."), "Force");
        }
    }

    static bool IsInside(string path, string folder) =>
        path.Length > folder.Length && path.StartsWith(folder, PathComparison) && (path[folder.Length] == Path.DirectorySeparatorChar || folder.EndsWith(Path.DirectorySeparatorChar));

    /// <summary>The full path with symbolic links resolved in the part that exists, so a link to an input folder is recognised.</summary>
    internal static string Canonical(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string root = Path.GetPathRoot(full)!;
        string resolved = root;
        foreach (string part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(resolved, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
                next = Path.TrimEndingDirectorySeparator(target.FullName);
            resolved = next;
        }
        return resolved;
    }

    static string Describe(OutputKind kind) => kind switch
    {
        OutputKind.Run => "run folder",
        OutputKind.Report => "report folder",
        OutputKind.Predictions => "prediction folder",
        OutputKind.Evaluation => "evaluation folder",
        OutputKind.Demo => "demo folder",
        _ => "dataset folder",
    };
}
