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
            error.WriteLine($"error: {SettingFlags.Describe(e)}");
            if (debug) error.WriteLine(e);
            return 1;
        }
        if (IsOutOfMemory(e))
        {
            error.WriteLine($"error: the device ran out of memory ({FirstLine(e.Message)}); choose a smaller --crop, --batch or --window.");
            if (debug) error.WriteLine(e);
            return 1;
        }
        // libtorch's messages carry native stack frames after the first line: they belong to the debug output only.
        error.WriteLine($"error: unexpected {e.GetType().Name}: {FirstLine(e.Message)}");
        error.WriteLine(debug ? e.ToString() : "(set SOSEG_DEBUG=1 for the stack trace, and please report it)");
        return 2;
    }

    /// <summary>An allocation libtorch or .NET could not make: a size the user chose, beyond what the memory estimate caught.</summary>
    static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException
        || (e is System.Runtime.InteropServices.ExternalException && (e.Message.Contains("can't allocate memory", StringComparison.Ordinal)
                                                                      || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)));

    static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
