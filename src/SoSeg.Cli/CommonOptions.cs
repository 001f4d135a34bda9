using System.CommandLine;

namespace SoSeg.Cli;

/// <summary>Options shared by several commands, made the same way everywhere.</summary>
public static class CommonOptions
{
    public const string DeviceName = "--device";

    /// <summary>Global: plain log lines instead of progress bars (automatic when output is not a terminal).</summary>
    public static readonly Option<bool> NoProgress = new("--no-progress")
    {
        Description = "Print plain progress lines instead of bars (automatic when output is not a terminal).",
        Recursive = true,
    };

    /// <summary>--device auto|cpu|cuda|cuda:N, for every command that computes.</summary>
    public static Option<string> Device() => new(DeviceName)
    {
        Description = "Where to compute: auto (CUDA when a CUDA libtorch and a GPU are found, else CPU), cpu, cuda or cuda:N. " +
                      "CUDA needs a CUDA libtorch, e.g. SOSEG_LIBTORCH=<PyTorch install>/torch/lib (docs/gpu.md).",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>--no-tf32: full fp32 matrix products on CUDA (TF32 is on by default there).</summary>
    public static Option<bool> NoTf32() => new("--no-tf32")
    {
        Description = "Disable TF32 matrix math on CUDA (on by default; no effect on CPU).",
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

    /// <summary>The --device value of the parsed command, or null when the command takes no device.</summary>
    public static string? DeviceOf(ParseResult parse)
    {
        var option = parse.CommandResult.Command.Options.OfType<Option<string>>().FirstOrDefault(o => o.Name == DeviceName);
        return option is null ? null : parse.GetValue(option);
    }
}
