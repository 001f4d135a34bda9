using System.CommandLine;
using System.Text.Json;
using SoSeg.Data.Datasets;
using SoSeg.Data.Verification;

namespace SoSeg.Cli.Commands;

/// <summary>soseg verify DATA: decode every file of a dataset and list every problem with its file.</summary>
public static class VerifyCommand
{
    /// <param name="cache">The verification cache (tests pass their own; null: the user's cache folder).</param>
    public static Command Create(VerificationCache? cache = null)
    {
        var data = new Argument<string>("DATA") { Description = "Dataset folder (SoSeg/nnU-Net, ATLAS, PolypGen or images/ + masks/ layout)." };
        var layout = CommonOptions.Layout();
        var sequences = new Option<bool>("--polypgen-sequences") { Description = "PolypGen: also check the video sequence frames (sequenceData/positive)." };
        var json = CommonOptions.Json();
        var command = new Command("verify",
            "Check a dataset before training: decode every image and mask in parallel and list every problem with its file " +
            "(unreadable or truncated files, mask/image size mismatches, channel counts, label values not in the dataset's labels, " +
            "NaN/Inf intensities, duplicate images). Exit code 1 when there is any. Results are cached by file size and modification " +
            "time, so an unchanged dataset is checked at once; train, compare and stats run the same check first.")
        {
            data, layout, sequences, json,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var dataset = SegmentationDataset.Open(parse.GetValue(data)!, new DatasetOptions
            {
                Layout = CommonOptions.ParseLayout(parse.GetValue(layout)!),
                IncludePolypGenSequences = parse.GetValue(sequences),
            });
            var progress = CommonOptions.ProgressFor(parse, keepStdoutClean: true);
            var report = progress.Run(ctx => DatasetVerifier.Verify(dataset, cache ?? VerificationCache.Default,
                ctx.AddTask($"verify {dataset.Cases.Count} cases", dataset.Cases.Count)));
            if (parse.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(report, Json.Indented));
            else
            {
                foreach (var problem in report.Problems)
                    output.WriteLine($"{problem.Kind.ToString().ToLowerInvariant(),-10}  {problem.Message}");
                output.WriteLine(report.Summary);
            }
            return report.Ok ? 0 : 1;
        });
        return command;
    }
}
