namespace SoSeg.IO;

/// <summary>
/// Test hook, not a user feature: fault-injection tests set <c>SOSEG_TEST_FAULT=POINT[@N]=kill|pause|fail</c> to stop a
/// SoSeg process the N-th time (default: first) it reaches a named point, e.g. between writing a checkpoint's temporary
/// file and renaming it. <c>kill</c> ends the process at once (as a power cut or `kill -9` would), <c>pause</c> prints
/// "paused at POINT" on stderr and waits to be killed, <c>fail</c> throws the I/O error a full disk gives. Unset, a point
/// costs one comparison.
/// </summary>
public static class FaultPoint
{
    public const string Variable = "SOSEG_TEST_FAULT";
    static readonly (string Point, int Occurrence, string Action)? Planned = Parse(Environment.GetEnvironmentVariable(Variable));
    static int _reached;

    /// <summary>Marks that the process has reached <paramref name="point"/>.</summary>
    public static void Reach(string point)
    {
        if (Planned is not { } plan || plan.Point != point) return;
        if (Interlocked.Increment(ref _reached) != plan.Occurrence) return;
        switch (plan.Action)
        {
            case "kill":
                System.Diagnostics.Process.GetCurrentProcess().Kill();
                Thread.Sleep(Timeout.Infinite);
                break;
            case "pause":
                Console.Error.WriteLine($"paused at {point}");
                Console.Error.Flush();
                Thread.Sleep(Timeout.Infinite);
                break;
            case "fail":
                throw new IOException($"No space left on device (simulated at {point})");
        }
    }

    static (string, int, string)? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        int equals = text.LastIndexOf('=');
        if (equals < 0) return null;
        string point = text[..equals], action = text[(equals + 1)..];
        int occurrence = 1;
        int at = point.LastIndexOf('@');
        if (at > 0 && int.TryParse(point[(at + 1)..], out int n)) { occurrence = n; point = point[..at]; }
        return (point, occurrence, action);
    }
}
