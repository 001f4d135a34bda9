using System.CommandLine;
using SoSeg.Export;
using SoSeg.Onnx;
using SoSeg.Training;
using static TorchSharp.torch;
using SoSeg.Checkpoints;

namespace SoSeg.Cli.Commands;

/// <summary>soseg export: a trained model as a self-describing ONNX file for ONNX Runtime and other ONNX tools.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A .ckpt file, or a run folder (its best checkpoint).", Required = true };
        var output = new Option<string>("--out") { Description = "The .onnx file to write (must not exist yet).", Required = true };
        var opset = new Option<int>("--opset") { Description = $"ONNX opset of the graph ({OnnxGraph.MinOpset}..{OnnxGraph.MaxOpset}).", DefaultValueFactory = _ => OnnxGraph.MinOpset };
        var fixedSize = new Option<int?>("--fixed-size") { Description = "Fix height and width to S x S (batch stays dynamic); default: any batch, height and width." };
        var command = new Command("export",
            "Export a trained model to ONNX: the eval-mode network with its weights, dynamic batch/height/width, and metadata " +
            "(classes, label values, input channels, intensity normalisation, prediction window, model and options, SoSeg version).")
        {
            checkpoint, output, opset, fixedSize,
        };
        command.SetAction(parse =>
        {
            var log = parse.InvocationConfiguration.Output;
            string outPath = parse.GetValue(output)!;
            int opsetValue = parse.GetValue(opset);
            if (opsetValue is < OnnxGraph.MinOpset or > OnnxGraph.MaxOpset)
                throw new ArgumentException($"--opset: {opsetValue} is not supported; use {OnnxGraph.MinOpset}..{OnnxGraph.MaxOpset}.");
            if (parse.GetValue(fixedSize) is int s && s < 1) throw new ArgumentException($"--fixed-size: must be at least 1, got {s}.");
            if (!outPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"--out: {outPath} should end in .onnx.");
            if (File.Exists(outPath) || Directory.Exists(outPath)) throw new ArgumentException($"--out: {outPath} already exists; choose a new file name.");
            string? folder = Path.GetDirectoryName(Path.GetFullPath(outPath));
            if (folder is not null && !Directory.Exists(folder)) throw new ArgumentException($"--out: the folder {folder} does not exist.");

            string checkpointPath = RunFolder.CheckpointOf(parse.GetValue(checkpoint)!, log);
            var (model, info) = Checkpoint.LoadModel(checkpointPath, CPU);
            using (model)
                OnnxExporter.Write(outPath, model, info, new OnnxExportOptions { Opset = opsetValue, FixedSize = parse.GetValue(fixedSize) });
            var size = new FileInfo(outPath).Length / (1024.0 * 1024.0);
            string shape = parse.GetValue(fixedSize) is int f ? $"N x {info.InChannels} x {f} x {f}" : $"N x {info.InChannels} x H x W";
            log.WriteLine($"{info.Model} (epoch {info.Epoch}) -> {Path.GetFullPath(outPath)} ({size:0.0} MiB, opset {opsetValue}; input '{OnnxModelMetadata.InputName}' {shape}, output '{OnnxModelMetadata.OutputName}' logits for {info.NumClasses} classes)");
            return 0;
        });
        return command;
    }
}
