namespace SoSeg;

/// <summary>
/// An error the user can fix (bad input file, bad option, missing dataset). The CLI prints its message
/// alone, without a stack trace; the message names the file and the problem.
/// </summary>
public class SoSegException : Exception
{
    public SoSegException(string message) : base(message) { }
    public SoSegException(string message, Exception inner) : base(message, inner) { }

    /// <summary>
    /// True when the file cannot be decoded at all (missing, empty, damaged, truncated, or declaring more pixels
    /// or voxels than SoSeg reads), as opposed to one that decodes but holds unusable content.
    /// </summary>
    public bool UnreadableFile { get; init; }

    /// <summary>True when the file ends before its data does (implies <see cref="UnreadableFile"/>).</summary>
    public bool Truncated { get; init; }

    /// <summary>An error for a file that cannot be decoded.</summary>
    public static SoSegException Unreadable(string message, bool truncated = false) => new(message) { UnreadableFile = true, Truncated = truncated };
}
