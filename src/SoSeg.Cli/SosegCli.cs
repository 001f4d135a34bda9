using System.CommandLine;
using SoSeg.Cli.Commands;
using SoSeg.Runtime;

namespace SoSeg.Cli;

/// <summary>Builds the `soseg` command tree and runs it; every verb lives in Commands/.</summary>
public static class SosegCli
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "SoSeg: segmentation of small medical objects (SoSegFormer and six baselines) on .NET.\n" +
            "Run `soseg <command> --help` for the options of a command.");
        root.Options.Add(CommonOptions.NoProgress);
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(StatsCommand.Create());
        root.Subcommands.Add(PlanCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(CompareCellCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        return root;
    }

    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null) =>
        Run(args, output, error, NativeLayout.RunOnCudaLibtorchIfNeeded);

    /// <param name="dispatch">Runs the command elsewhere when needed (CUDA: <see cref="NativeLayout.RunOnCudaLibtorchIfNeeded"/>); tests pass their own.</param>
    internal static int Run(string[] args, TextWriter? output, TextWriter? error, Func<DeviceSpec, IReadOnlyList<string>, int?> dispatch)
    {
        output ??= System.Console.Out;
        error ??= System.Console.Error;
        var root = BuildRoot();
        var parse = root.Parse(args);
        // Only when the command itself runs (not --help or a parse error).
        if (parse.Action is not null && parse.Action == parse.CommandResult.Command.Action)
        {
            try { OptionChecks.EnsureFinite(parse); }
            catch (Exception e) { return CommandErrors.Report(e, error); }
        }
        if (CommonOptions.DeviceOf(parse) is { } deviceText)
        {
            try
            {
                var device = DeviceSpec.Parse(deviceText);
                // CUDA runs in a child process on a CUDA libtorch; see NativeLayout.
                if (dispatch(device, args) is int exitCode) return exitCode;
            }
            catch (Exception e)
            {
                return CommandErrors.Report(e, error);
            }
        }
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            return parse.Invoke(config);
        }
        catch (Exception e)
        {
            return CommandErrors.Report(e, error);
        }
    }
}
