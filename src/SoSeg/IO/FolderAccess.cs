using System.Runtime.InteropServices;

namespace SoSeg.IO;

/// <summary>Whether this process may create files in a folder, asked of the operating system without writing anything.</summary>
public static partial class FolderAccess
{
    const int WriteOk = 2;

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Access(string path, int mode);

    /// <summary>
    /// True when files can be created in <paramref name="folder"/> (or, when it does not exist yet, in its nearest
    /// existing parent). Uses access(2), which also sees read-only mounts, where root is refused too; on systems
    /// without it, the folder's read-only attribute.
    /// </summary>
    public static bool IsWritable(string folder)
    {
        var existing = new DirectoryInfo(Path.GetFullPath(folder));
        while (existing is not null && !existing.Exists) existing = existing.Parent;
        if (existing is null) return false;
        if (!OperatingSystem.IsWindows())
        {
            try { return Access(existing.FullName, WriteOk) == 0; }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
        }
        return !existing.Attributes.HasFlag(FileAttributes.ReadOnly);
    }
}
