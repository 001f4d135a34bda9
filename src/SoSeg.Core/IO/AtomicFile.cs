namespace SoSeg.IO;

/// <summary>
/// Writes files so a reader never sees half a file: write to a temporary file in the same folder,
/// flush to disk, then rename over the target (atomic on POSIX file systems).
/// </summary>
public static class AtomicFile
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
        Replace(path, full => $".{Path.GetFileNameWithoutExtension(full)}.{Guid.NewGuid():N}.tmp{Path.GetExtension(full)}", temp =>
        {
            writeToPath(temp);
            using var handle = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite);
            handle.Flush(flushToDisk: true);
        });

    /// <summary>Writes (and flushes) a temporary file named by <paramref name="tempName"/> next to the target, then renames it over the target; a failure deletes it.</summary>
    static void Replace(string path, Func<string, string> tempName, Action<string> writeTemp)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, tempName(full));
        try
        {
            writeTemp(temp);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }
}
