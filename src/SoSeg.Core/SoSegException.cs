namespace SoSeg;

/// <summary>
/// An error the user can fix (bad input file, bad option, missing dataset). The CLI prints its message
/// alone, without a stack trace; the message names the file and the problem.
/// </summary>
public class SoSegException : Exception
{
    public SoSegException(string message) : base(message) { }
    public SoSegException(string message, Exception inner) : base(message, inner) { }
}
