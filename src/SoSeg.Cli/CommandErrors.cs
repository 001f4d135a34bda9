using SoSeg.Runtime;

namespace SoSeg.Cli;

/// <summary>Turns exceptions into one clear message and an exit code; stack traces only with SOSEG_DEBUG=1.</summary>
public static class CommandErrors
{
    public static bool IsUserError(Exception e) =>
        e is SoSegException or DeviceUnavailableException or ArgumentException or InvalidDataException
            or UnauthorizedAccessException or IOException or OperationCanceledException;

    public static int Report(Exception e, TextWriter error)
    {
        if (e is System.Reflection.TargetInvocationException { InnerException: { } inner }) e = inner;
        if (e is AggregateException aggregate) e = ParallelLoops.FirstCause(aggregate);
        bool debug = Environment.GetEnvironmentVariable("SOSEG_DEBUG") == "1";
        if (IsUserError(e))
        {
            error.WriteLine($"error: {e.Message}");
            if (debug) error.WriteLine(e);
            return 1;
        }
        error.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message}");
        error.WriteLine(debug ? e.ToString() : "(set SOSEG_DEBUG=1 for the stack trace, and please report it)");
        return 2;
    }
}
