namespace SoSeg.IO;

/// <summary>SoSeg's per-user cache folder: $XDG_CACHE_HOME/soseg, else ~/.cache/soseg (never inside a dataset or run).</summary>
public static class UserCache
{
    /// <summary>The folder (it may not exist yet).</summary>
    public static string Folder
    {
        get
        {
            string root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "soseg");
        }
    }
}
