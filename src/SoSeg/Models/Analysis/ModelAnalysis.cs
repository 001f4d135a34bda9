using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Models.Analysis;

/// <summary>Parameter counts and counted FLOPs of any model.</summary>
public static class ModelAnalysis
{
    /// <summary>Parameters of <paramref name="module"/>, trainable or not.</summary>
    public static long ParameterCount(nn.Module module) => module.parameters().Sum(p => p.numel());

    /// <summary>Parameters per direct child (field name), in registration order; parameters held by the module itself are listed as "(own)".</summary>
    public static IReadOnlyList<(string Part, long Parameters)> ParametersByPart(nn.Module module)
    {
        var parts = module.named_children().Select(c => (c.name, ParameterCount(c.module))).ToList();
        long own = ParameterCount(module) - parts.Sum(p => p.Item2);
        if (own > 0) parts.Add(("(own)", own));
        return parts;
    }

    /// <summary>
    /// Counts one eval-mode forward of a <paramref name="batch"/> x C x <paramref name="height"/> x
    /// <paramref name="width"/> input on the model's device and dtype (values do not matter), then restores
    /// the model's train/eval mode.
    /// </summary>
    public static FlopReport CountFlops(SegmentationModel model, int height, int width, int batch = 1)
    {
        var first = model.parameters().FirstOrDefault();
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var input = torch.zeros([batch, model.InChannels, height, width],
                dtype: first?.dtype ?? ScalarType.Float32, device: first?.device ?? torch.CPU);
            return FlopCounter.Measure(model, input);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
