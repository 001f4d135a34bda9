namespace SoSeg.Tests.TestData;

/// <summary>
/// A really full disk for a test: a small tmpfs mounted in a private mount namespace (`unshare`, as root or through an
/// unprivileged user namespace), so nothing outside the test process sees it and it vanishes with the process.
/// </summary>
public static class TinyDisk
{
    static readonly Lazy<bool> Mountable = new(() =>
    {
        string probe = Directory.CreateTempSubdirectory("soseg-tmpfs-probe").FullName;
        try
        {
            using var process = SosegProcess.StartProgram("unshare", [.. Namespace, "sh", "-c", "mount -t tmpfs -o size=64k tmpfs \"$0\"", probe]);
            return process.WaitForExit(TimeSpan.FromSeconds(20)) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; } // no unshare
        finally { Directory.Delete(probe, recursive: true); }
    });

    static string[] Namespace => ["--user", "--map-root-user", "--mount"];

    /// <summary>True when this machine lets the test mount a tmpfs of its own.</summary>
    public static bool CanMount() => OperatingSystem.IsLinux() && Mountable.Value;

    /// <summary>Runs `soseg ARGS` with a tmpfs of <paramref name="size"/> on <paramref name="mountPoint"/>; then copies MOUNT/run to <paramref name="copyRunTo"/> before the mount goes.</summary>
    public static SosegProcess Run(string mountPoint, string size, IEnumerable<string> args, string copyRunTo)
    {
        const string Script = "mp=\"$1\"; size=\"$2\"; copy=\"$3\"; shift 3; mount -t tmpfs -o size=\"$size\" tmpfs \"$mp\" || exit 99; " +
                              "\"$@\"; rc=$?; cp -a \"$mp/run\" \"$copy\"; exit $rc";
        var process = SosegProcess.StartProgram("unshare",
            [.. Namespace, "sh", "-c", Script, "sh", mountPoint, size, copyRunTo, "dotnet", Path.Combine(AppContext.BaseDirectory, "soseg.dll"), .. args]);
        process.WaitForExit();
        return process;
    }
}
