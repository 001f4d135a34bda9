namespace SoSeg.Cli;

/// <summary>
/// First Ctrl+C: cancels <see cref="Token"/> so the work can finish its step and stop cleanly (a run can
/// resume); second: default (kill). Dispose detaches the handler.
/// </summary>
public sealed class CtrlC : IDisposable
{
    readonly CancellationTokenSource _source = new();
    readonly TextWriter _log;
    DateTime _firstPress;

    CtrlC(TextWriter log)
    {
        _log = log;
        Console.CancelKeyPress += OnCancelKeyPress;
    }

    /// <summary>Starts listening; <paramref name="log"/> gets the "stopping" note.</summary>
    public static CtrlC Cancels(TextWriter log) => new(log);

    public CancellationToken Token => _source.Token;

    void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        // A GPU run's parent process passes SIGINT on; in a terminal the child has it already: one press, not two.
        if (_source.IsCancellationRequested)
        {
            if (DateTime.UtcNow - _firstPress < TimeSpan.FromMilliseconds(500)) e.Cancel = true;
            return;
        }
        _firstPress = DateTime.UtcNow;
        e.Cancel = true;
        _log.WriteLine("stopping after this step (Ctrl+C again to kill)...");
        _source.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _source.Dispose();
    }
}
