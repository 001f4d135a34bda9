using System.Runtime.InteropServices;

namespace SoSeg.IO;

/// <summary>
/// Flushes a folder's entries to disk. A rename is only durable once the folder holding it is flushed: without this,
/// a power cut after `last.ckpt` was replaced can bring back the old name or none. .NET cannot open a folder as a
/// file, so this calls open/fsync/close from the C library (Linux and macOS; Windows journals renames itself).
/// </summary>
internal static partial class DirectorySync
{
    const int ReadOnly = 0;
    const int InvalidArgument = 22; // EINVAL: the file system cannot flush folders (some FUSE/network mounts); nothing to do

    public static void Flush(string folder)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = Open(folder, ReadOnly);
        if (fd < 0) return; // a folder we may not open for reading: its rename is still made, only not forced to disk
        try
        {
            if (FileSync(fd) != 0 && Marshal.GetLastPInvokeError() is int errno && errno != InvalidArgument)
                throw new IOException($"{folder}: could not flush the folder to disk (errno {errno}).");
        }
        finally { Close(fd); }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FileSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
