using System.CommandLine;
using SoSeg.Cli;

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
