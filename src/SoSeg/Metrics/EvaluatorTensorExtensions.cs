using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Metrics;

/// <summary>Feeds a batch of network outputs to a <see cref="SegmentationEvaluator"/>.</summary>
public static class EvaluatorTensorExtensions
{
    /// <summary>
    /// Adds N images from logits (N x K x H x W, any float dtype and device) and targets (N x H x W class
    /// indices, any integer dtype, 255 = ignore): prediction = argmax over classes, probabilities = softmax
    /// (in float32) when <paramref name="withProbabilities"/>. One copy of the batch to the CPU.
    /// </summary>
    /// <returns>The per-image results, in batch order.</returns>
    public static IReadOnlyList<ImageResult> AddBatch(this SegmentationEvaluator evaluator, IReadOnlyList<string> imageIds,
        Tensor logits, Tensor targets, bool withProbabilities = false, IReadOnlyList<string?>? groups = null)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(imageIds);
        if (logits.dim() != 4)
            throw new ArgumentException($"Logits must be N x K x H x W, got shape [{string.Join(", ", logits.shape)}].", nameof(logits));
        long n = logits.shape[0], k = logits.shape[1], h = logits.shape[2], w = logits.shape[3];
        if (k != evaluator.ClassCount)
            throw new ArgumentException($"Logits have {k} classes, the evaluator {evaluator.ClassCount}.", nameof(logits));
        if (!targets.shape.SequenceEqual(new[] { n, h, w }))
            throw new ArgumentException($"Targets must be N x H x W = [{n}, {h}, {w}] to match the logits, got [{string.Join(", ", targets.shape)}].", nameof(targets));
        if (imageIds.Count != n) throw new ArgumentException($"{imageIds.Count} image ids for a batch of {n}.", nameof(imageIds));
        if (groups is not null && groups.Count != n) throw new ArgumentException($"{groups.Count} groups for a batch of {n}.", nameof(groups));
        if (targets.is_floating_point()) throw new ArgumentException($"Targets must hold integer class indices, got {targets.dtype}.", nameof(targets));

        byte[] predicted, labels;
        float[]? probabilities = null;
        using (NewDisposeScope())
        {
            using (var outOfRange = targets.lt(0).logical_or(targets.gt(255)).any())
                if (outOfRange.item<bool>()) throw new ArgumentException("Targets hold values outside 0..255 (255 marks ignored pixels).", nameof(targets));
            predicted = logits.argmax(1).to(ScalarType.Byte).cpu().contiguous().data<byte>().ToArray();
            labels = targets.to(ScalarType.Byte).cpu().contiguous().data<byte>().ToArray();
            if (withProbabilities)
                probabilities = logits.to(ScalarType.Float32).softmax(1).cpu().contiguous().data<float>().ToArray();
        }

        int pixels = checked((int)(h * w));
        int probabilityLength = checked((int)k * pixels);
        var results = new List<ImageResult>((int)n);
        for (int i = 0; i < n; i++)
            results.Add(evaluator.Add(imageIds[i],
                predicted.AsSpan(i * pixels, pixels),
                labels.AsSpan(i * pixels, pixels),
                (int)h, (int)w,
                probabilities is null ? default : probabilities.AsSpan(i * probabilityLength, probabilityLength),
                groups?[i]));
        return results;
    }
}
