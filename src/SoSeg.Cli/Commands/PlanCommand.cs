using System.CommandLine;
using SoSeg.Data.Datasets;
using SoSeg.Planning;

namespace SoSeg.Cli.Commands;

/// <summary>soseg plan DATA: a dataset fingerprint and the recipe chosen from it, written to plan.json for `train --plan` and `compare --plan`.</summary>
public static class PlanCommand
{
    public static Command Create()
    {
        var data = new Argument<string>("DATA") { Description = "Dataset folder (SoSeg/nnU-Net, ATLAS, PolypGen or images/ + masks/ layout)." };
        var output = new Option<string>("--out") { Description = "Plan file to write (refused if it exists, unless --force).", DefaultValueFactory = _ => "plan.json" };
        var layout = CommonOptions.Layout();
        var dropEmpty = new Option<bool>("--drop-empty-slices") { Description = "Volumes: plan for training on slices with foreground only." };
        var force = new Option<bool>("--force") { Description = "Replace an existing plan file." };
        var command = new Command("plan",
            "Read a dataset's fingerprint (image sizes, intensities per channel, object sizes per class, share of empty images) and write " +
            "plan.json: crop, batch, scale mode, normalisation, foreground oversampling, loss, epochs and selection score, each with its reason.")
        {
            data, output, layout, dropEmpty, force,
        };
        command.SetAction(parse =>
        {
            var log = parse.InvocationConfiguration.Output;
            string path = Path.GetFullPath(parse.GetValue(output)!);
            var dataset = SegmentationDataset.Open(parse.GetValue(data)!, new DatasetOptions
            {
                Layout = CommonOptions.ParseLayout(parse.GetValue(layout)!),
                DropEmptySlices = parse.GetValue(dropEmpty),
            });
            if (File.Exists(path) && !parse.GetValue(force)) throw new SoSegException($"{path}: already exists; choose another --out or add --force.");
            if (path.StartsWith(Path.GetFullPath(dataset.Root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new SoSegException($"{path}: is inside the dataset folder {dataset.Root}; write the plan elsewhere.");
            var progress = CommonOptions.ProgressFor(parse, keepStdoutClean: false);
            var fingerprint = progress.Run(ctx => DatasetFingerprint.Compute(dataset, ctx.AddTask("Reading masks", DatasetFingerprint.MasksToRead(dataset))));
            var plan = RecipePlanner.Plan(fingerprint);
            plan.Write(path);
            log.WriteLine($"{fingerprint.Dataset}: {fingerprint.TrainImages} training images (median {fingerprint.MedianHeight} x {fingerprint.MedianWidth}), " +
                          $"{fingerprint.Objects.Objects} objects ({fingerprint.UltraSmallShare:P0} ultra-small), {fingerprint.EmptyImageShare:P0} of images empty" +
                          (fingerprint.MedianSpacing is { } s ? $", median voxel spacing {s.Column:0.###} x {s.Row:0.###} x {s.Slice:0.###} mm" : ""));
            log.WriteLine($"crop {plan.Crop.Value}: {plan.Crop.Reason}");
            log.WriteLine($"batch {plan.Batch.Value}: {plan.Batch.Reason}");
            log.WriteLine($"scale mode {SoSeg.Augmentation.ScaleModes.Name(plan.ScaleMode.Value)}: {plan.ScaleMode.Reason}");
            log.WriteLine($"oversample foreground {plan.OversampleForeground.Value:0.##}: {plan.OversampleForeground.Reason}");
            log.WriteLine($"loss {plan.Loss.Value}: {plan.Loss.Reason}");
            log.WriteLine($"epochs {plan.Epochs.Value}: {plan.Epochs.Reason}");
            log.WriteLine($"select by {plan.SelectBy.Value}: {plan.SelectBy.Reason}");
            log.WriteLine($"plan: {path} (use it with `soseg train --plan {path}` or `soseg compare --plan {path}`; options given there still win)");
            return 0;
        });
        return command;
    }
}
