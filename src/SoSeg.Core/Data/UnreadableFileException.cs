namespace SoSeg.Data;

/// <summary>
/// A file that cannot be decoded at all (missing, empty, damaged, truncated, or declaring more pixels than
/// SoSeg reads), as opposed to one that decodes but holds unusable content (wrong labels, sizes, channels).
/// </summary>
public sealed class UnreadableFileException(string message, bool truncated = false) : SoSegException(message)
{
    /// <summary>True when the file ends before its data does.</summary>
    public bool Truncated { get; } = truncated;
}
