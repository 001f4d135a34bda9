using System.Text.Json;

namespace SoSeg.IO;

/// <summary>
/// One writer per folder: an exclusive OS lock on <c>FOLDER/.soseg-lock</c>, held from <see cref="Acquire"/> to
/// <see cref="Dispose"/>. The lock belongs to the open file (flock on Linux and macOS, a share lock on Windows), so the
/// operating system releases it when the process ends in any way, `kill -9` included: a stale lock cannot block a
/// resume. The holder's PID and command go into <c>.soseg-lock.owner.json</c> beside it (the locked file itself cannot
/// be read by others on every system), so a refused writer can say who holds the folder.
/// </summary>
public sealed class FolderLock : IDisposable
{
    public const string LockName = ".soseg-lock";
    public const string OwnerName = ".soseg-lock.owner.json";
    readonly FileStream _handle;
    readonly string _owner;

    FolderLock(FileStream handle, string owner) { _handle = handle; _owner = owner; }

    /// <summary>Takes the lock of <paramref name="folder"/> (created if missing) for <paramref name="command"/>, or refuses naming the holder's PID.</summary>
    public static FolderLock Acquire(string folder, string command)
    {
        string full = Path.GetFullPath(folder);
        Directory.CreateDirectory(full);
        string lockPath = Path.Combine(full, LockName);
        string ownerPath = Path.Combine(full, OwnerName);
        FileStream handle;
        try
        {
            // FileShare.None is an exclusive lock: a second open fails, in this process as in any other.
            handle = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(lockPath))
        {
            throw new SoSegException($"{full}: is in use by another SoSeg process ({Holder(ownerPath)}); " +
                                     "one process writes a folder at a time: wait for it to finish, or stop it first.");
        }
        try
        {
            AtomicFile.WriteAllText(ownerPath, JsonSerializer.Serialize(new
            {
                pid = Environment.ProcessId, command, host = Environment.MachineName, startedUtc = DateTime.UtcNow.ToString("O"),
            }) + "\n");
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        return new FolderLock(handle, ownerPath);
    }

    /// <summary>"PID 1234, soseg train, since ..." from the owner file; the holder writes it right after locking, so wait a moment for it.</summary>
    static string Holder(string ownerPath)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                using var json = JsonDocument.Parse(File.ReadAllText(ownerPath));
                var root = json.RootElement;
                return $"PID {root.GetProperty("pid").GetInt32()}, {root.GetProperty("command").GetString()}, " +
                       $"on {root.GetProperty("host").GetString()} since {root.GetProperty("startedUtc").GetString()}";
            }
            catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                Thread.Sleep(50);
            }
        }
        return "PID unknown";
    }

    /// <summary>Releases the lock. The lock file stays: deleting it would let a waiting process lock a file no one else sees.</summary>
    public void Dispose()
    {
        try { File.Delete(_owner); } catch (IOException) { }
        _handle.Dispose();
    }
}
