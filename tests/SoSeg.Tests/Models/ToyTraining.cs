using SoSeg.Models;
using SoSeg.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Tests.Models;

/// <summary>A few AdamW steps on one batch of bright squares on a dark, noisy background.</summary>
internal static class ToyTraining
{
    /// <summary>The loss at every step, training with <paramref name="loss"/> (the model's paper loss; cross-entropy when null).</summary>
    public static IReadOnlyList<float> LossCurve(SegmentationModel model, int steps, double learningRate, int size = 32, ISegmentationLoss? loss = null)
    {
        var generator = new Generator(17);
        var image = zeros(2, model.InChannels, size, size);
        image[.., .., (size / 4)..(size * 5 / 8), (size / 3)..(size * 2 / 3)] = tensor(1f);
        var input = image + 0.1f * randn([2, model.InChannels, size, size], generator: generator);
        var target = image[.., 0].to(ScalarType.Int64);
        loss ??= new CrossEntropyLoss();
        using var optimizer = optim.AdamW(model.parameters(), lr: learningRate);
        var values = new List<float>(steps);
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var value = loss.Compute(model.ForwardWithSideOutputs(input), target);
            value.backward();
            optimizer.step();
            values.Add(value.item<float>());
        }
        image.Dispose(); input.Dispose(); target.Dispose();
        return values;
    }
}
