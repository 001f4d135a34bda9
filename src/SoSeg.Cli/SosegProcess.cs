namespace SoSeg.Cli;

/// <summary>How to start this very soseg in another process (Slurm tasks, cells trained side by side).</summary>
public static class SosegProcess
{
    /// <summary>The program and its leading arguments: the app host next to soseg.dll, else `dotnet soseg.dll`.</summary>
    public static IReadOnlyList<string> Command()
    {
        string assembly = typeof(SosegProcess).Assembly.Location;
        string host = Path.Combine(Path.GetDirectoryName(assembly)!, OperatingSystem.IsWindows() ? "soseg.exe" : "soseg");
        return File.Exists(host) ? [host] : ["dotnet", assembly];
    }
}
