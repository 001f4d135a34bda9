using System.Runtime.InteropServices;

namespace SoSeg.Cli;

/// <summary>
/// First Ctrl+C or SIGTERM: cancels <see cref="Token"/> so the work can finish its step and stop cleanly
/// (a run keeps its last finished epoch's checkpoint and can resume); second: default (kill). SIGTERM is how
/// Slurm, Kubernetes and systemd ask a process to stop before a time limit or preemption, a grace period
/// before SIGKILL. Dispose detaches the handlers.
/// </summary>
public sealed class CtrlC : IDisposable
{
    readonly CancellationTokenSource _source = new();
    readonly TextWriter _log;
    readonly PosixSignalRegistration? _sigterm;
    DateTime _firstPress;

    CtrlC(TextWriter log)
    {
        _log = log;
        Console.CancelKeyPress += OnCancelKeyPress;
        if (!OperatingSystem.IsWindows()) _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSigterm);
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
        Stop("Ctrl+C again to kill");
    }

    void OnSigterm(PosixSignalContext context)
    {
        if (_source.IsCancellationRequested) return;
        context.Cancel = true;
        Stop("SIGTERM received; a second one kills");
    }

    void Stop(string how)
    {
        _log.WriteLine($"stopping after this step ({how})...");
        _log.Flush();
        _source.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _sigterm?.Dispose();
        _source.Dispose();
    }
}
