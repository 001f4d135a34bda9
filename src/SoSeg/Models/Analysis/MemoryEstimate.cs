using SoSeg.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Models.Analysis;

/// <summary>An estimate of the memory a setting needs, and how it was reached.</summary>
/// <param name="Bytes">Estimated bytes.</param>
/// <param name="Formula">The estimate written out, for the error message.</param>
public sealed record MemoryEstimate(long Bytes, string Formula)
{
    /// <summary>
    /// Throws a <see cref="SoSegException"/> naming <paramref name="setting"/> (e.g. "--crop 40000 --batch 2")
    /// when the estimate exceeds the memory <paramref name="device"/> has available; no check where no figure exists.
    /// </summary>
    /// <param name="setting">What needs the memory, in the caller's words (e.g. "CropSize 512 with BatchSize 8").</param>
    /// <param name="settingNames">The setting names <paramref name="setting"/> uses (see <see cref="SettingError"/>).</param>
    public void EnsureFits(string setting, Device device, params string[] settingNames)
    {
        if (AvailableMemory.Of(device) is not { } available || Bytes <= available.Bytes) return;
        throw SettingError.Naming(new SoSegException($"{setting} needs about {Format(Bytes)} ({Formula}) but {device.type.ToString().ToLowerInvariant()} has " +
                                 $"{Format(available.Bytes)} available ({available.Source}); choose a smaller value."), settingNames);
    }

    /// <summary>Bytes as MiB, GiB or TiB with one decimal.</summary>
    public static string Format(double bytes) =>
        bytes >= 1L << 40 ? $"{bytes / (1L << 40):0.0} TiB" : bytes >= 1L << 30 ? $"{bytes / (1L << 30):0.0} GiB" : $"{bytes / (1L << 20):0.0} MiB";
}

/// <summary>
/// A model's activations per input pixel, counted once on a small input: every leaf layer's output of one
/// forward pass at <see cref="ProbeSize"/> x <see cref="ProbeSize"/>, divided by its pixels. Activations grow
/// with the pixels of the input for convolutional networks, so
/// <list type="bullet">
/// <item>training needs about batch x crop² x (all leaf outputs per pixel) x 4 bytes (kept for the backward
/// pass) plus 16 bytes per parameter (weights, gradients and AdamW's two moments);</item>
/// <item>prediction needs about batch x window² x (the largest leaf output per pixel) x 4 bytes x 3 (a layer's
/// input, its output and one more map alive at once) plus 4 bytes per parameter.</item>
/// </list>
/// Both leave out libtorch's workspace and allocator slack, so they are lower figures: a setting refused by
/// them cannot run, one accepted may still be tight.
/// </summary>
/// <param name="Model">Registered model name, for messages.</param>
/// <param name="Total">Floats per input pixel summed over every leaf layer's output.</param>
/// <param name="Largest">Floats per input pixel of the largest single leaf output.</param>
/// <param name="Parameters">Parameters of the model.</param>
public sealed record ActivationProfile(string Model, double Total, double Largest, long Parameters)
{
    /// <summary>Side of the square input the activations are counted on.</summary>
    public const int ProbeSize = 64;

    /// <summary>Training memory at <paramref name="batch"/> crops of <paramref name="crop"/> x <paramref name="crop"/>.</summary>
    public MemoryEstimate Training(int batch, int crop) => new(
        Clamp((double)batch * crop * crop * Total * 4 + Parameters * 16.0),
        $"{Model} training estimate: {batch} x {crop}² pixels x {Total:0} activations per pixel x 4 bytes + {Parameters:N0} parameters x 16 bytes");

    /// <summary>Prediction memory on <paramref name="batch"/> windows of <paramref name="window"/> x <paramref name="window"/>.</summary>
    public MemoryEstimate Prediction(int window, int batch = 1) => new(
        Clamp((double)batch * window * window * Largest * 4 * 3 + Parameters * 4.0),
        $"{Model} prediction estimate: {batch} x {window}² pixels x {Largest:0} floats per pixel in the largest layer x 4 bytes x 3 + {Parameters:N0} parameters x 4 bytes");

    static long Clamp(double bytes) => bytes >= long.MaxValue ? long.MaxValue : (long)bytes;

    /// <summary>Counts the activations of <paramref name="model"/> with one forward pass (no gradients) at <see cref="ProbeSize"/>² on its device.</summary>
    public static ActivationProfile Of(SegmentationModel model, string name)
    {
        long total = 0, largest = 0;
        var removers = new List<Action>();
        foreach (var (_, module) in model.named_modules())
        {
            if (module is not nn.Module<Tensor, Tensor> layer || module.children().Any()) continue;
            var handle = layer.register_forward_hook((_, _, output) =>
            {
                total += output.numel();
                largest = Math.Max(largest, output.numel());
                return null!;
            });
            removers.Add(handle.remove);
        }
        bool training = model.training;
        var device = model.parameters().FirstOrDefault()?.device ?? CPU;
        try
        {
            model.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            model.call(zeros(1, model.InChannels, ProbeSize, ProbeSize, device: device));
        }
        finally
        {
            foreach (var remove in removers) remove();
            model.train(training);
        }
        double pixels = ProbeSize * ProbeSize;
        return new ActivationProfile(name, total / pixels, largest / pixels, model.ParameterCount());
    }
}
