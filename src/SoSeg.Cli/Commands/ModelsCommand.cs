using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SoSeg.Models;
using SoSeg.Models.Analysis;
using SoSeg.Runtime;
using SoSeg.Models.Catalog;

namespace SoSeg.Cli.Commands;

/// <summary>
/// soseg models: every registered model with its parameter count (2 classes, 3 input channels), counted
/// GFLOPs for one image, family, paper and options. FLOPs come from a real CPU forward at --size
/// (half a minute for a paper-scale model on two cores) and are cached per build in
/// ~/.cache/soseg/model-statistics.json, so later runs are instant.
/// </summary>
public static class ModelsCommand
{
    /// <summary>Classes and channels the listed figures are for.</summary>
    public const int Classes = 2, Channels = 3;

    /// <param name="cache">Statistics cache (default: <see cref="ModelStatisticsCache.Default"/>); tests pass their own.</param>
    public static Command Create(ModelStatisticsCache? cache = null)
    {
        var json = CommonOptions.Json();
        var size = new Option<int>("--size") { Description = "Square input side the FLOPs are counted at (batch 1).", DefaultValueFactory = _ => 512 };
        var noFlops = new Option<bool>("--no-flops") { Description = "Skip counting FLOPs (parameters only; fast)." };
        var command = new Command("models",
            $"List every registered model: parameters ({Classes} classes, {Channels} input channels), GFLOPs of one image " +
            "(2 x multiply-accumulates of convolutions, linear layers and attention, counted from a real CPU forward and cached), " +
            "family, paper and options.")
        {
            json, size, noFlops,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            int side = parse.GetValue(size);
            if (side < 32) throw new ArgumentException($"--size must be at least 32, got {side}.");
            bool asJson = parse.GetValue(json), countFlops = !parse.GetValue(noFlops);
            TorchRuntime.Initialise();
            var statisticsCache = cache ?? ModelStatisticsCache.Default;
            var progress = CommonOptions.ProgressFor(parse, keepStdoutClean: true);

            var entries = progress.Run(ctx =>
            {
                var models = ModelRegistry.All;
                var task = ctx.AddTask("counting", models.Count);
                var listed = new List<ModelEntry>();
                foreach (var descriptor in models)
                {
                    task.Status(descriptor.Name);
                    listed.Add(Describe(descriptor, countFlops ? side : null, statisticsCache));
                    task.Advance();
                }
                task.Complete();
                return listed;
            });

            if (asJson) output.WriteLine(JsonSerializer.Serialize(entries, Json.Indented));
            else Print(entries, countFlops ? side : null, output);
            return 0;
        });
        return command;
    }

    /// <summary>One row of the listing.</summary>
    public sealed record ModelEntry(
        string Name, string Family, string Paper, string Summary, long Parameters,
        int? FlopsInputSize, double? GFlops, double? GMacsFvcore, IReadOnlyList<string> UncountedLayers,
        IReadOnlyList<ModelOptionInfo> Options);

    static ModelEntry Describe(ModelDescriptor descriptor, int? size, ModelStatisticsCache cache)
    {
        long parameters;
        FlopReport? flops = null;
        if (size is int side)
        {
            var statistics = cache.GetOrCompute(descriptor.Name, Channels, Classes, ModelOptions.Empty, side);
            parameters = statistics.Parameters;
            flops = statistics.Flops;
        }
        else
        {
            using var model = ModelRegistry.Create(descriptor.Name, Channels, Classes);
            parameters = model.ParameterCount();
        }
        return new ModelEntry(descriptor.Name, descriptor.Family, descriptor.Paper, descriptor.Summary, parameters,
            size, flops?.GFlops, flops?.GMacs, flops?.UnvisitedLayers ?? [], descriptor.OptionList);
    }

    static void Print(IReadOnlyList<ModelEntry> entries, int? size, TextWriter output)
    {
        var headers = new List<string> { "model", "family", "parameters" };
        if (size is not null) headers.Add($"GFLOPs @{size}");
        headers.Add("paper");
        var rows = entries.Select(e =>
        {
            var row = new List<string> { e.Name, e.Family, e.Parameters.ToString("N0", CultureInfo.InvariantCulture) };
            if (size is not null) row.Add(e.GFlops!.Value.ToString("0.0", CultureInfo.InvariantCulture));
            row.Add(e.Paper);
            return row.ToArray();
        }).ToList();
        TextTable.Write(output, headers, rows, new HashSet<int> { 2, 3 });
        if (size is not null)
            output.WriteLine($"GFLOPs: one {size}x{size} image, {Channels} channels, {Classes} classes; 2 x multiply-accumulates of " +
                             "convolutions, linear layers and attention products, counted from the layers in a real forward.");

        foreach (var entry in entries)
        {
            output.WriteLine();
            output.WriteLine($"{entry.Name}: {entry.Summary}");
            if (entry.UncountedLayers.Count > 0)
                output.WriteLine($"  warning: {entry.UncountedLayers.Count} layer(s) never ran in the counted forward " +
                                 $"(unused, or invoked with forward instead of call): {string.Join(", ", entry.UncountedLayers.Take(5))}");
            if (entry.Options.Count == 0) continue;
            int width = entry.Options.Max(o => o.Key.Length + 1 + o.Default.Length);
            output.WriteLine("  options (--model-option key=value):");
            foreach (var option in entry.Options)
                output.WriteLine($"    {(option.Key + "=" + option.Default).PadRight(width)}  {option.Description}");
        }
    }
}
