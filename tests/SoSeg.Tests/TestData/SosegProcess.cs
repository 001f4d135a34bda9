using System.Diagnostics;
using System.Text;

namespace SoSeg.Tests.TestData;

/// <summary>
/// The real `soseg` executable (soseg.dll beside the tests) in its own process, for what needs one: a kill -9, a second
/// writer with its own PID, a mount namespace. Output is collected as it comes, so a killed process's lines are kept.
/// </summary>
public sealed class SosegProcess : IDisposable
{
    readonly Process _process;
    readonly StringBuilder _out = new(), _err = new();
    readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);

    SosegProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public string Out { get { lock (_out) return _out.ToString(); } }
    public string Err { get { lock (_err) return _err.ToString(); } }

    /// <summary>Starts `soseg ARGS` with extra environment variables (e.g. the fault hook).</summary>
    public static SosegProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        StartProgram("dotnet", [Path.Combine(AppContext.BaseDirectory, "soseg.dll"), .. args], environment);

    /// <summary>Starts any program (a shell around soseg), collecting its output the same way.</summary>
    public static SosegProcess StartProgram(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove(SoSeg.IO.FaultPoint.Variable);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = new Process { StartInfo = start };
        var wrapper = new SosegProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (wrapper._out) wrapper._out.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (wrapper._err) wrapper._err.AppendLine(e.Data);
            if (e.Data.StartsWith("paused at ", StringComparison.Ordinal)) wrapper._paused.TrySetResult();
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    /// <summary>Runs `soseg ARGS` to the end.</summary>
    public static SosegProcess Run(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var process = Start(args, environment);
        process.WaitForExit();
        return process;
    }

    /// <summary>Waits until the process stops at its fault point (SOSEG_TEST_FAULT=...=pause).</summary>
    public void WaitUntilPaused()
    {
        var finished = _process.WaitForExitAsync();
        var first = Task.WhenAny(_paused.Task, finished, Task.Delay(TimeSpan.FromMinutes(2))).GetAwaiter().GetResult();
        if (first != _paused.Task) throw new InvalidOperationException($"soseg did not pause (exited: {_process.HasExited}).\n{Out}\n{Err}");
    }

    /// <summary>Waits up to <paramref name="timeout"/>; true when the process ended by itself.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit(); // drains the output readers
        return true;
    }

    public void WaitForExit()
    {
        if (!WaitForExit(TimeSpan.FromMinutes(5))) throw new TimeoutException($"soseg did not finish.\n{Out}\n{Err}");
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>SIGKILL, as `kill -9` sends: no clean-up code runs.</summary>
    public void Kill()
    {
        try { _process.Kill(); } catch (InvalidOperationException) { }
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}
