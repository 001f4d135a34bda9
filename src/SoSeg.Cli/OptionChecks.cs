using System.CommandLine;
using System.Globalization;

namespace SoSeg.Cli;

/// <summary>
/// Checks every option of the command about to run before it does any work, so no command needs to
/// remember to: a number option must be finite (System.CommandLine parses "NaN" and "Infinity" as doubles).
/// Ranges are each command's own checks.
/// </summary>
public static class OptionChecks
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option whose value is NaN or infinite.</summary>
    public static void EnsureFinite(ParseResult parse)
    {
        foreach (var option in parse.CommandResult.Command.Options.Concat(parse.RootCommandResult.Command.Options))
        {
            if (parse.GetResult(option) is null) continue;
            foreach (double value in NumbersOf(parse, option))
                if (!double.IsFinite(value))
                    throw new ArgumentException($"{option.Name} must be a finite number, not {value.ToString(CultureInfo.InvariantCulture)}.");
        }
    }

    static IEnumerable<double> NumbersOf(ParseResult parse, Option option) => option switch
    {
        Option<double> o => [parse.GetValue(o)],
        Option<double?> o => parse.GetValue(o) is { } v ? [v] : [],
        Option<double[]> o => parse.GetValue(o) ?? [],
        Option<float> o => [parse.GetValue(o)],
        Option<float?> o => parse.GetValue(o) is { } v ? [v] : [],
        _ => [],
    };
}
