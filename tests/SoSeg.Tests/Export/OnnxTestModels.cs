using Google.Protobuf;
using SoSeg.Export;
using SoSeg.Inference;
using SoSeg.Models;
using SoSeg.Runtime;
using SoSeg.Training;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Checkpoints;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Export;

/// <summary>
/// Small instances of the registered models for export tests, with weights that make the comparison
/// meaningful: batch norms calibrated on the compared data (<see cref="Calibrate"/>: eval-mode activations of
/// order one, not the near-zero outputs of fresh running statistics or N(0, 0.001) convolutions), and
/// parameters initialised to exactly zero (attention gates) given random values so every path contributes;
/// batch-norm gains halved so that the random deep residual networks are not chaotic: at full gain every
/// Res2Net block doubles the variance it adds, and TorchSharp's own float32 logits of the small PraNet,
/// CaraNet and CFANet are 1.7e-4 to 3.7e-4 away from the same network in float64 (logits up to 2 to 7), so a
/// comparison of two float32 engines would measure that noise, not the export.
/// </summary>
public static class OnnxTestModels
{
    /// <summary>Options that shrink a model where it has a width option; models not listed are built as registered.</summary>
    static readonly Dictionary<string, string[]> SmallOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sosegformer"] = ["stem=16", "widths=8,16,32,64", "depths=1,1,1,1", "heads=1,1,2,4", "aspp-channels=32"],
        ["sosegformer-s"] = ["aspp-channels=32"],
        ["unet"] = ["base-width=8"],
        ["unetpp"] = ["base-width=8"],
        ["pranet"] = ["channels=16"],
        ["hrnet-w18"] = ["init=pytorch", "stage1-blocks=1", "modules=1,1,1", "blocks=1"],
        ["hrnet-w48"] = ["init=pytorch", "stage1-blocks=1", "modules=1,1,1", "blocks=1"],
        ["caranet"] = ["channels=16", "backbone=res2net50"],
        ["cfanet"] = ["channels=16"],
    };

    public static string[] OptionsFor(string name) => SmallOptions.TryGetValue(name, out var options) ? options : [];

    /// <summary>A small instance of <paramref name="name"/> (eval mode) with extra options appended; calibrate it before comparing.</summary>
    public static SegmentationModel Create(string name, int inChannels = 3, int numClasses = 2, params string[] extraOptions)
    {
        TorchRuntime.Initialise();
        TorchRuntime.Seed(7, CPU);
        var model = ModelRegistry.Create(name, inChannels, numClasses, ModelOptions.Parse([.. OptionsFor(name), .. extraOptions]));
        using var noGrad = no_grad();
        foreach (var p in model.parameters().Where(p => p.abs().max().item<float>() == 0))
            p.copy_(0.5 * randn_like(p));
        // Batch-norm gains of 0.5: residual branches add half their normalised output, as trained residual networks
        // keep them small (their last gains are often initialised to zero); at full gain float32 rounding itself grows to 1e-4.
        foreach (var norm in model.modules().OfType<TorchSharp.Modules.BatchNorm>().Where(n => n.weight is not null))
            norm.weight!.mul_(0.5);
        model.eval();
        return model;
    }

    /// <summary>
    /// Sets every batch norm's running statistics to those of <paramref name="batch"/> (one train-mode pass with a
    /// cumulative average), so that eval-mode activations on that data are of order one. Multiplicative paths
    /// (separable attention multiplies values by a context computed from keys) square any mismatch between the
    /// statistics and the data at every block, which drives untrained logits far out of any realistic range.
    /// </summary>
    public static void Calibrate(SegmentationModel model, Tensor batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var module in model.modules().OfType<TorchSharp.Modules.BatchNorm>())
        {
            module.reset_running_stats();
            module.momentum = null;
        }
        model.train();
        model.call(batch);
        model.eval();
    }

    /// <summary>
    /// A batch to calibrate on for comparisons on <paramref name="input"/>: the input, its mirror image and two
    /// independent images with the input's mean and spread. A mirror image has the same global average as its
    /// original, so a batch of one image and its mirror gives the batch norms after global pooling (CFANet's
    /// channel gates) a variance of nothing but rounding noise, and an eval-mode gain near 1/sqrt(eps) = 316
    /// that no trained model has.
    /// </summary>
    public static Tensor CalibrationBatch(Tensor input, long seed)
    {
        var others = randn([2, .. input.shape[1..]], generator: new TorchSharp.torch.Generator((ulong)seed));
        return cat([input, input.flip(3), input.mean() + input.std() * others], 0);
    }

    public static CheckpointInfo InfoFor(SegmentationModel model, string name, params string[] extraOptions) => new()
    {
        Model = name,
        ModelOptions = ParseOptions([.. OptionsFor(name), .. extraOptions]),
        InChannels = model.InChannels,
        NumClasses = model.NumClasses,
        ClassNames = Enumerable.Range(0, model.NumClasses).Select(i => i == 0 ? "background" : $"class{i}").ToList(),
        LabelValues = Enumerable.Range(0, model.NumClasses).Select(i => i * 100).ToList(),
        WindowSize = 96,
    };

    static Dictionary<string, string> ParseOptions(IEnumerable<string> pairs) =>
        pairs.Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    /// <summary>The exported file's bytes, opened in ONNX Runtime on the CPU.</summary>
    public static OnnxRuntimeEngine Export(SegmentationModel model, CheckpointInfo info, OnnxExportOptions? options = null) =>
        OnnxRuntimeEngine.FromBytes(OnnxExporter.Build(model, info, options).ToByteArray(), info.Model);
}
