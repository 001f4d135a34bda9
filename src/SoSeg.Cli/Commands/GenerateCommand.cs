using System.CommandLine;
using System.Diagnostics;
using SoSeg.Data;
using SoSeg.Data.Synthetic;

namespace SoSeg.Cli.Commands;

/// <summary>soseg generate KIND OUT: writes a synthetic dataset with known ground truth in SoSeg's layout.</summary>
public static class GenerateCommand
{
    /// <summary>What SoSeg writes into a dataset folder; --force replaces exactly these.</summary>
    static readonly string[] DatasetEntries = [DatasetManifest.FileName, "imagesTr", "labelsTr", "imagesTs", "labelsTs"];

    /// <summary>Builds the `generate` verb: KIND (from <see cref="SyntheticGenerators"/>), OUT, --count, --seed, --force.</summary>
    public static Command Create()
    {
        var kind = new Argument<string>("KIND")
        {
            Description = "What to generate:" + string.Concat(SyntheticGenerators.All.Select(g => $"\n  {g.Kind}: {g.Description}")),
        };
        kind.AcceptOnlyFromAmong([.. SyntheticGenerators.Kinds]);
        var output = new Argument<string>("OUT") { Description = "Dataset folder to write (dataset.json, imagesTr/, labelsTr/, imagesTs/, labelsTs/)." };
        var count = new Option<int>("--count", "-n") { Description = "Number of cases; 80% go to training, 20% to test.", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed writes the same files.", DefaultValueFactory = _ => 0 };
        var force = new Option<bool>("--force")
        {
            Description = "Write into a non-empty folder: replaces its dataset.json, imagesTr, labelsTr, imagesTs and labelsTs, keeps anything else.",
        };
        var command = new Command("generate", "Write a synthetic dataset with known ground truth (tiny sperm in microscopy, polyps in colonoscopy, ...) in SoSeg's layout.")
        {
            kind, output, count, seed, force,
        };
        command.SetAction(parse =>
        {
            var generator = SyntheticGenerators.Get(parse.GetValue(kind)!);
            string folder = parse.GetValue(output)!;
            int cases = parse.GetValue(count);
            if (cases < 1) throw new SoSegException($"--count must be at least 1, not {cases}.");
            PrepareFolder(folder, parse.GetValue(force));

            var writer = parse.InvocationConfiguration.Output;
            var progress = CommonOptions.ProgressFor(parse, keepStdoutClean: false);
            var clock = Stopwatch.StartNew();
            progress.Run(context =>
            {
                var task = context.AddTask($"generate {generator.Kind}", cases);
                generator.Generate(folder, cases, parse.GetValue(seed), task);
                task.Complete();
            });
            PrintSummary(folder, generator.Kind, parse.GetValue(seed), clock.Elapsed, writer);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Refuses a non-empty folder unless forced, even one it generated before (runs may depend on that data); when forced,
    /// removes only what a dataset of SoSeg's layout holds. The same guard as every other command's output.
    /// </summary>
    static void PrepareFolder(string folder, bool force)
    {
        IO.OutputFolder.Claim(folder, IO.OutputKind.Dataset, "soseg generate", force, reuse: false);
        foreach (string entry in DatasetEntries)
        {
            string path = Path.Combine(folder, entry);
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else if (File.Exists(path)) File.Delete(path);
        }
    }

    static void PrintSummary(string folder, string kind, int seed, TimeSpan elapsed, TextWriter output)
    {
        var manifest = DatasetManifest.Read(Path.Combine(folder, DatasetManifest.FileName));
        long bytes = new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        output.WriteLine($"Wrote {manifest.Name} ({kind}, seed {seed}) to {Path.GetFullPath(folder)} in {elapsed.TotalSeconds:0.0} s:");
        output.WriteLine($"  {Cases(manifest.NumTraining)} for training (imagesTr/, labelsTr/) and {Cases(manifest.NumTest)} for test (imagesTs/, labelsTs/), " +
                         $"{manifest.FileEnding} files, {bytes / (1024.0 * 1024.0):0.0} MiB");
        output.WriteLine($"  modality {manifest.Modality}; channels: {string.Join(", ", manifest.ChannelNames)}");
        output.WriteLine($"  labels: {string.Join(", ", manifest.Labels.Select(l => $"{l.Key} {l.Value}"))}");
    }

    static string Cases(int n) => n == 1 ? "1 case" : $"{n} cases";
}
