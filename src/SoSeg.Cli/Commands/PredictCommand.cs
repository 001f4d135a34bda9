using System.CommandLine;
using SoSeg.Data.Datasets;
using SoSeg.Data.Images;
using SoSeg.Data.Nifti;
using SoSeg.Inference;
using SoSeg.IO;
using SoSeg.Training;

namespace SoSeg.Cli.Commands;

/// <summary>soseg predict: masks for new images (PNG) and volumes (NIfTI on the input's grid).</summary>
public static class PredictCommand
{
    const string Command = "soseg predict";

    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A .ckpt file (e.g. RUN/checkpoints/best.ckpt), a run folder (its best checkpoint) or, with --engine onnx, a .onnx file from soseg export.", Required = true };
        var input = new Option<string>("--input") { Description = "An image (.png/.jpg/.bmp/.tif), a volume (.nii/.nii.gz) or a folder of them; CASE_0000, CASE_0001... are channels of one case.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the predicted masks: new, empty or an earlier prediction folder; never the --input folder.", Required = true };
        var probabilities = new Option<bool>("--probabilities") { Description = "Also write per-class probability maps (PNG x255 for images, float32 NIfTI for volumes)." };
        var overlays = new Option<bool>("--overlays") { Description = "Also write overlay PNGs (prediction drawn over the image)." };
        var window = new PredictionWindowOptions("Flip test-time augmentation (averages the image and its mirror).",
                                                 "Sliding-window size for large inputs (default: the training crop).");
        var device = new DeviceOptions(channelsLast: true);
        var force = CommonOptions.Force();
        var engineOption = new EngineOptions();
        var command = new Command("predict", "Segment new images and volumes with a trained checkpoint.")
        {
            checkpoint, input, output, probabilities, overlays, force,
        };
        window.AddTo(command);
        engineOption.AddTo(command);
        device.AddTo(command);
        command.SetAction(parse =>
        {
            var log = parse.InvocationConfiguration.Output;
            var inputs = InputPredictor.FindInputs(parse.GetValue(input)!);
            // Headers first (JPEG structure included): a truncated or oversized input is refused before any mask is written.
            foreach (var path in inputs.SelectMany(i => i.ChannelPaths))
                if (NiftiReader.IsNiftiPath(path)) NiftiReader.ReadHeader(path); else ImageReader.ReadInfo(path);
            string checkpointPath = RunFolder.CheckpointOf(parse.GetValue(checkpoint)!, log);
            string folder = parse.GetValue(output)!;
            // Before any work: --out is a new, empty or earlier prediction folder, apart from the inputs and the checkpoint.
            string[] read = [parse.GetValue(input)!, checkpointPath];
            OutputFolder.Check(folder, OutputKind.Predictions, Command, parse.GetValue(force), read);
            var (engine, info, _) = engineOption.Open(parse, checkpointPath, device, log);
            using var disposeEngine = engine;
            var predictor = new SegmentationPredictor(engine, window.Read(parse, info.WindowSize, EngineOptions.TorchModelOf(engine), info.Model, engine.Device));
            var outputs = new PredictionOutputs { Probabilities = parse.GetValue(probabilities), Overlays = parse.GetValue(overlays) };
            var inputPredictor = new InputPredictor(predictor, info);
            inputPredictor.RefuseOverwritingInputs(inputs, folder, outputs);
            OutputFolder.Claim(folder, OutputKind.Predictions, Command, parse.GetValue(force), read);
            var progress = CommonOptions.ProgressFor(parse, keepStdoutClean: false);
            var written = progress.Run(ctx => inputPredictor.Run(inputs, folder, outputs,
                ctx.AddTask($"predict {inputs.Count} input(s) with {info.Model}", inputs.Count)));
            foreach (var w in written)
                log.WriteLine($"{w.Input.Name}: {w.MaskPath} ({w.ForegroundPixels} foreground pixels){(w.Extras.Count > 0 ? $", +{w.Extras.Count} file(s)" : "")}");
            log.WriteLine($"{written.Count} prediction(s) in {Path.GetFullPath(folder)}");
            return 0;
        });
        return command;
    }
}
