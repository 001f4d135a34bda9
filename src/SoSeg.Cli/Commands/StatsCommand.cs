using System.CommandLine;
using System.Text.Json;
using SoSeg.Data.Datasets;
using SoSeg.Data.Statistics;
using SoSeg.Data.Verification;

namespace SoSeg.Cli.Commands;

/// <summary>soseg stats DATA: the paper's Table I (images, object area-ratio range, ultra-small / small / all objects) for a dataset.</summary>
public static class StatsCommand
{
    public static Command Create()
    {
        var data = new Argument<string>("DATA") { Description = "Dataset folder (SoSeg/nnU-Net, ATLAS, PolypGen or images/ + masks/ layout)." };
        var layout = CommonOptions.Layout();
        var dropEmpty = new Option<bool>("--drop-empty-slices") { Description = "Leave out volume slices without any labelled object (as a 2-D version of a volume dataset does)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the train/test hold-out when the layout has no test set.", DefaultValueFactory = _ => new DatasetOptions().SplitSeed };
        var testFraction = new Option<double>("--test-fraction") { Description = "Fraction held out for testing when the layout has no test set.", DefaultValueFactory = _ => new DatasetOptions().TestFraction };
        var sequences = new Option<bool>("--polypgen-sequences") { Description = "PolypGen: also count the video sequence frames (sequenceData/positive)." };
        var json = CommonOptions.Json();
        var command = new Command("stats",
            "Dataset statistics as in the paper's Table I: images (train + test), object area-ratio range, and the number of " +
            "ultra-small (<1%), small (<10%) and all objects (8-connected components of one class), overall and per class.")
        {
            data, layout, dropEmpty, seed, testFraction, sequences, json,
        };
        command.SetAction(parse =>
        {
            var options = new DatasetOptions
            {
                Layout = CommonOptions.ParseLayout(parse.GetValue(layout)!),
                DropEmptySlices = parse.GetValue(dropEmpty),
                SplitSeed = parse.GetValue(seed),
                TestFraction = parse.GetValue(testFraction),
                IncludePolypGenSequences = parse.GetValue(sequences),
            };
            var output = parse.InvocationConfiguration.Output;
            bool asJson = parse.GetValue(json);
            var dataset = SegmentationDataset.Open(parse.GetValue(data)!, options);
            var progress = CommonOptions.ProgressFor(parse, keepStdoutClean: true);
            DatasetVerifier.EnsureValid(dataset, progress);
            var stats = progress.Run(ctx =>
                DatasetStatistics.Compute(dataset, progress: ctx.AddTask("Reading masks", DatasetStatistics.CountItems(dataset))));
            if (asJson) output.WriteLine(JsonSerializer.Serialize(stats, Json.Indented));
            else Print(stats, dataset, output);
            return 0;
        });
        return command;
    }

    /// <summary>Percent with three decimals, as Table I prints area ratios.</summary>
    static string Percent(double? ratio) => ratio is null ? "-" : $"{ratio.Value * 100:0.000}%";

    static string Range(ClassObjectStatistics s) => s.Objects == 0 ? "-" : $"{Percent(s.MinAreaRatio)} ~ {Percent(s.MaxAreaRatio)}";

    static void Print(DatasetStatistics stats, SegmentationDataset dataset, TextWriter o)
    {
        o.WriteLine($"{stats.Dataset} ({stats.Layout} layout, {dataset.Root})");
        o.WriteLine($"test set: {(dataset.LayoutHasTestSet ? "from the layout" : $"seeded hold-out ({dataset.Options.TestFraction:0.##} of cases, seed {dataset.Options.SplitSeed})")}" +
                    $"{(dataset.IsVolumetric ? $"; images are axial slices{(dataset.Options.DropEmptySlices ? " with labels" : "")}" : "")}");
        o.WriteLine();
        var rows = new List<string[]>
        {
            new[] { "", "Images (train + test)", "Object area ratio", "Ultra-small (<1%)", "Small (<10%)", "All" },
            new[] { stats.Dataset, $"{stats.TrainImages} + {stats.TestImages}", Range(stats.All), $"{stats.All.UltraSmall}", $"{stats.All.Small}", $"{stats.All.Objects}" },
        };
        foreach (var c in stats.PerClass)
            rows.Add(["  " + c.Name, $"in {c.Images} images", Range(c), $"{c.UltraSmall}", $"{c.Small}", $"{c.Objects}"]);
        var widths = Enumerable.Range(0, rows[0].Length).Select(col => rows.Max(r => r[col].Length)).ToArray();
        foreach (var row in rows)
            o.WriteLine(string.Join("  ", row.Select((cell, col) => col == 0 ? cell.PadRight(widths[col]) : cell.PadLeft(widths[col]))).TrimEnd());
        if (stats.LabelledImages < stats.TrainImages + stats.TestImages)
            o.WriteLine($"\n{stats.TrainImages + stats.TestImages - stats.LabelledImages} image(s) have no mask and hold no counted objects.");
    }
}
