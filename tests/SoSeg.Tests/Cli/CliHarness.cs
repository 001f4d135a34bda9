using System.CommandLine;
using System.Diagnostics;
using SoSeg.Cli;
using Xunit.Abstractions;

namespace SoSeg.Tests.Cli;

/// <summary>Runs one command (built by the test, e.g. with its own cache) the way the real root would, capturing output.</summary>
static class CliHarness
{
    /// <summary>Runs the real <c>soseg</c> root with <paramref name="args"/>, capturing output.</summary>
    public static (int Code, string Out, string Err) RunSoseg(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = SosegCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Runs the built <c>soseg</c> app host in its own process (for what must not share this one: libtorch's thread count,
    /// signals, several processes), output and error together, echoed to <paramref name="log"/>; killed after <paramref name="limit"/>.
    /// </summary>
    public static (int Code, string Out) RunSosegProcess(ITestOutputHelper log, TimeSpan limit, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "soseg")) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"soseg {string.Join(' ', args)} ran over {limit.TotalSeconds:0} s:\n{stdout.Result}{stderr.Result}");
        }
        string text = stdout.Result + stderr.Result;
        log.WriteLine($"$ soseg {string.Join(' ', args)}  (exit {process.ExitCode})\n{text}");
        return (process.ExitCode, text);
    }

    /// <summary>The metric tables of a report's comparison.md (everything before the runs table, whose times and folders differ).</summary>
    public static string ComparisonTables(string report) => File.ReadAllText(Path.Combine(report, "comparison.md")).Split("### Runs")[0];

    public static (int Code, string Out, string Err) Run(Command command, params string[] args)
    {
        var root = new RootCommand { command };
        root.Options.Add(CommonOptions.NoProgress);
        var output = new StringWriter();
        var error = new StringWriter();
        int code;
        try
        {
            code = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            code = CommandErrors.Report(e, error);
        }
        return (code, output.ToString(), error.ToString());
    }
}
