using System.Text.RegularExpressions;

namespace SoSeg.IO;

/// <summary>
/// Writes files so a reader never sees half a file: write to a temporary file in the same folder,
/// flush to disk, rename over the target (atomic on POSIX file systems), then flush the folder so the
/// rename itself survives a power cut. A failed write (full disk, no permission) leaves the previous
/// version and no temporary file, and says which file could not be written.
/// </summary>
public static partial class AtomicFile
{
    /// <summary>Writes through a stream callback, then moves the finished file into place.</summary>
    public static void Write(string path, Action<Stream> write) =>
        Replace(path, full => $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp", temp =>
        {
            using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            write(stream);
            stream.Flush(flushToDisk: true);
        });

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true); w.Write(text); });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>For libraries that only write to a path (TorchSharp save, ScottPlot): let them write a temporary path, then move it.</summary>
    public static void WriteVia(string path, Action<string> writeToPath) =>
        // The temporary name keeps the extension: such libraries choose the format by it.
        Replace(path, full => $".{Path.GetFileNameWithoutExtension(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp{Path.GetExtension(full)}", temp =>
        {
            writeToPath(temp);
            using var handle = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite);
            handle.Flush(flushToDisk: true);
        });

    /// <summary>True for the name of a temporary file this class writes (".NAME.PID.GUID.tmp[.EXT]").</summary>
    public static bool IsTemporary(string fileName) => TemporaryName().IsMatch(fileName);

    /// <summary>
    /// Deletes the temporary files a killed process left in <paramref name="folder"/> (not its subfolders) and returns
    /// their paths. Only for a folder no other process writes to (one whose writer lock is held).
    /// </summary>
    public static IReadOnlyList<string> RemoveStaleTemporaries(string folder)
    {
        if (!Directory.Exists(folder)) return [];
        var removed = new List<string>();
        foreach (string file in Directory.EnumerateFiles(folder, ".*"))
            if (IsTemporary(Path.GetFileName(file)))
            {
                File.Delete(file);
                removed.Add(file);
            }
        return removed;
    }

    /// <summary>Writes (and flushes) a temporary file named by <paramref name="tempName"/> next to the target, then renames it over the target; a failure deletes it.</summary>
    static void Replace(string path, Func<string, string> tempName, Action<string> writeTemp)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        string name = Path.GetFileName(full);
        string temp = Path.Combine(folder, tempName(full));
        try
        {
            Directory.CreateDirectory(folder);
            FaultPoint.Reach("write:" + name);
            writeTemp(temp);
            FaultPoint.Reach("before-rename:" + name);
            File.Move(temp, full, overwrite: true);
            DirectorySync.Flush(folder);
            FaultPoint.Reach("after-rename:" + name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (IOException) { }
            // Still an IOException (callers that may skip a write, like a cache, catch it), now naming the file the user knows.
            throw new IOException($"{full}: could not be written ({e.Message}); its previous version, if any, is unchanged.", e);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    [GeneratedRegex(@"^\..+\.([0-9]+\.)?[0-9a-f]{32}\.tmp(\.[A-Za-z0-9]+)?$")]
    private static partial Regex TemporaryName();
}
