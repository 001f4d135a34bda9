using System.CommandLine;
using SoSeg.Data.Datasets;
using SoSeg.Inference;
using SoSeg.Training;

namespace SoSeg.Cli.Commands;

/// <summary>soseg predict: masks for new images (PNG) and volumes (NIfTI on the input's grid).</summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A .ckpt file (e.g. RUN/checkpoints/best.ckpt), or a run folder (its best checkpoint).", Required = true };
        var input = new Option<string>("--input") { Description = "An image (.png/.jpg/.bmp/.tif), a volume (.nii/.nii.gz) or a folder of them; CASE_0000, CASE_0001... are channels of one case.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the predicted masks.", Required = true };
        var probabilities = new Option<bool>("--probabilities") { Description = "Also write per-class probability maps (PNG x255 for images, float32 NIfTI for volumes)." };
        var overlays = new Option<bool>("--overlays") { Description = "Also write overlay PNGs (prediction drawn over the image)." };
        var window = new PredictionWindowOptions("Flip test-time augmentation (averages the image and its mirror).",
                                                 "Sliding-window size for large inputs (default: the training crop).");
        var device = new DeviceOptions();
        var command = new Command("predict", "Segment new images and volumes with a trained checkpoint.")
        {
            checkpoint, input, output, probabilities, overlays,
        };
        window.AddTo(command);
        device.AddTo(command);
        command.SetAction(parse =>
        {
            var log = parse.InvocationConfiguration.Output;
            var inputs = InputPredictor.FindInputs(parse.GetValue(input)!);
            var torchDevice = device.Resolve(parse);
            var (model, info) = Checkpoint.LoadModel(RunFolder.CheckpointOf(parse.GetValue(checkpoint)!, log), torchDevice);
            model.Precision = device.Precision(parse);
            var predictor = new SegmentationPredictor(model, torchDevice, window.Read(parse, info.CropSize));
            var outputs = new PredictionOutputs { Probabilities = parse.GetValue(probabilities), Overlays = parse.GetValue(overlays) };
            string folder = parse.GetValue(output)!;
            var progress = CommonOptions.ProgressFor(parse, keepStdoutClean: false);
            var written = progress.Run(ctx => new InputPredictor(predictor, info).Run(inputs, folder, outputs,
                ctx.AddTask($"predict {inputs.Count} input(s) with {info.Model}", inputs.Count)));
            foreach (var w in written)
                log.WriteLine($"{w.Input.Name}: {w.MaskPath} ({w.ForegroundPixels} foreground pixels){(w.Extras.Count > 0 ? $", +{w.Extras.Count} file(s)" : "")}");
            log.WriteLine($"{written.Count} prediction(s) in {Path.GetFullPath(folder)}");
            return 0;
        });
        return command;
    }
}
