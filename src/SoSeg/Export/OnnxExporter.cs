using Google.Protobuf;
using Onnx;
using SoSeg.IO;
using SoSeg.Models;
using SoSeg.Onnx;
using SoSeg.Training;
using static TorchSharp.torch;
using SoSeg.Checkpoints;

namespace SoSeg.Export;

/// <summary>How <see cref="OnnxExporter"/> writes a model.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>ONNX opset of the default domain (<see cref="OnnxGraph.MinOpset"/>..<see cref="OnnxGraph.MaxOpset"/>).</summary>
    public int Opset { get; init; } = OnnxGraph.MinOpset;
    /// <summary>Null: batch, height and width are symbolic. Else the graph takes S x S images only (batch stays symbolic).</summary>
    public int? FixedSize { get; init; }
}

/// <summary>
/// Writes a SoSeg model as a self-describing ONNX file: the eval-mode graph from the models' own export code
/// (<see cref="SegmentationModel.ExportOnnx"/>), its weights, and <see cref="OnnxModelMetadata"/>.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ONNX model for <paramref name="model"/> (switched to eval mode) trained as <paramref name="info"/> says.</summary>
    public static ModelProto Build(SegmentationModel model, CheckpointInfo info, OnnxExportOptions? options = null)
    {
        options ??= new OnnxExportOptions();
        if (options.FixedSize is { } fixedSize && fixedSize < 1)
            throw SettingError.Naming(new SoSegException($"FixedSize: must be at least 1, got {fixedSize}."), "FixedSize");
        model.eval();
        using var noGrad = no_grad();
        var g = new OnnxGraph(options.Opset);
        long? size = options.FixedSize;
        string[] dimNames = ["batch", "channels", "height", "width"];
        var input = g.Input(OnnxModelMetadata.InputName, [null, model.InChannels, size, size], dimNames);
        g.Output(model.ExportOnnx(g, input), OnnxModelMetadata.OutputName, [null, model.NumClasses, size, size], dimNames);

        string version = typeof(OnnxExporter).Assembly.GetName().Version?.ToString(3) ?? "";
        var proto = new ModelProto
        {
            // The IR version each opset was released with (ONNX's versioning table).
            IrVersion = options.Opset >= 21 ? 10 : options.Opset >= 19 ? 9 : 8,
            ProducerName = "SoSeg",
            ProducerVersion = version,
            Domain = "org.soseg",
            DocString = $"SoSeg {info.Model}: segmentation logits for {info.NumClasses} classes ({string.Join(", ", info.ClassNames)}).",
            Graph = g.Proto,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        foreach (var (key, value) in OnnxModelMetadata.From(info, model.SizeDivisor, version))
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return proto;
    }

    /// <summary>Exports and writes <paramref name="path"/> atomically.</summary>
    public static void Write(string path, SegmentationModel model, CheckpointInfo info, OnnxExportOptions? options = null)
    {
        var proto = Build(model, info, options);
        AtomicFile.Write(path, stream => proto.WriteTo(stream));
    }
}
