using System.CommandLine;
using SoSeg.Monitoring;
using SoSeg.App.Terminal;

namespace SoSeg.Cli;

/// <summary>Options shared by several commands, made the same way everywhere.</summary>
public static class CommonOptions
{
    /// <summary>Global: plain log lines instead of progress bars (automatic when output is not a terminal).</summary>
    public static readonly Option<bool> NoProgress = new("--no-progress")
    {
        Description = "Print plain progress lines instead of bars (automatic when output is not a terminal).",
        Recursive = true,
    };

    /// <summary>--layout auto|soseg|atlas|polypgen|images-masks for commands that open a dataset.</summary>
    public static Option<string> Layout()
    {
        var option = new Option<string>("--layout")
        {
            Description = "Folder layout: auto, soseg, atlas, polypgen or images-masks.",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong("auto", "soseg", "atlas", "polypgen", "images-masks");
        return option;
    }

    public static Data.Datasets.DatasetLayout ParseLayout(string text) => text switch
    {
        "soseg" => Data.Datasets.DatasetLayout.SoSeg,
        "atlas" => Data.Datasets.DatasetLayout.Atlas,
        "polypgen" => Data.Datasets.DatasetLayout.PolypGen,
        "images-masks" => Data.Datasets.DatasetLayout.ImagesMasks,
        _ => Data.Datasets.DatasetLayout.Auto,
    };

    /// <summary>--model-option key=value (repeatable): options of the model, as `soseg models` lists them.</summary>
    public static Option<string[]> ModelOptions(string? description = null) => new("--model-option")
    {
        Description = description ?? "A model option key=value (repeatable), e.g. --model-option attention=linear,linear,linear,mhsa. `soseg models` lists each model's options.",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<bool> Json() => new("--json") { Description = "Print JSON instead of a table." };

    /// <summary>--force: write into a folder SoSeg did not make, or one that overlaps the command's inputs.</summary>
    public static Option<bool> Force() => new("--force")
    {
        Description = "Write into --out even when it is a non-empty folder SoSeg did not make (files there may be replaced), or overlaps an input folder.",
    };

    /// <summary>
    /// The --device value of the parsed command, or null when the command takes no device or the parse runs
    /// another action than the command's own (--help, a parse error).
    /// </summary>
    public static string? DeviceOf(ParseResult parse)
    {
        if (parse.Action is null || parse.Action != parse.CommandResult.Command.Action) return null;
        var options = parse.CommandResult.Command.Options.OfType<Option<string>>().ToList();
        var option = options.FirstOrDefault(o => o.Name == DeviceOptions.DeviceName);
        // With --executor slurm the device is the Slurm tasks'; this process only submits and waits (often on a login node without GPUs).
        if (options.FirstOrDefault(o => o.Name == ClusterOptions.ExecutorName) is { } executor && parse.GetValue(executor) == ClusterOptions.Slurm) return null;
        // With --engine onnx, ONNX Runtime chooses its own execution provider; no CUDA libtorch is needed.
        if (EngineOptions.RunsOnOnnxRuntimeOnly(parse)) return null;
        return option is null ? null : parse.GetValue(option);
    }

    /// <summary>
    /// Progress for a command. <paramref name="keepStdoutClean"/>: stdout carries the result (a table or
    /// JSON), so bars only when it is an interactive terminal and no --json was given, else plain lines on
    /// the error writer. Otherwise bars or plain lines on stdout (the command's output writer).
    /// </summary>
    public static Progress ProgressFor(ParseResult parse, bool keepStdoutClean)
    {
        var output = parse.InvocationConfiguration.Output;
        bool noProgress = parse.GetValue(NoProgress);
        if (!keepStdoutClean) return new Progress(noProgress, ReferenceEquals(output, System.Console.Out) ? null : output);
        var json = parse.CommandResult.Command.Options.OfType<Option<bool>>().FirstOrDefault(o => o.Name == "--json");
        return TextTable.IsInteractiveConsole(output) && !(json is not null && parse.GetValue(json))
            ? new Progress(noProgress)
            : new Progress(disabled: true, plainOut: parse.InvocationConfiguration.Error);
    }
}
