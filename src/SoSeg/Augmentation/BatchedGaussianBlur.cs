using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace SoSeg.Augmentation;

/// <summary>
/// Gaussian blur with a different sigma per sample, as two depthwise convolutions (horizontal, vertical)
/// over the whole batch; borders are reflected. Sigma 0 leaves a sample unchanged (a unit kernel).
/// </summary>
internal static class BatchedGaussianBlur
{
    /// <summary>Normalised 1-D kernels, one row per sigma, of length 2 x radius + 1.</summary>
    public static float[] Kernels(IReadOnlyList<double> sigmas, int radius)
    {
        int size = 2 * radius + 1;
        var kernels = new float[sigmas.Count * size];
        for (int n = 0; n < sigmas.Count; n++)
        {
            double sigma = sigmas[n];
            if (sigma <= 1e-6) { kernels[n * size + radius] = 1; continue; }
            double sum = 0;
            var row = new double[size];
            for (int k = -radius; k <= radius; k++) sum += row[k + radius] = Math.Exp(-k * k / (2 * sigma * sigma));
            for (int k = 0; k < size; k++) kernels[n * size + k] = (float)(row[k] / sum);
        }
        return kernels;
    }

    /// <summary>
    /// Blurs N x C x H x W images in place; sample n uses sigmas[n] (pixels). The kernel spans +-3 x the largest
    /// sigma. Only the samples with a sigma above zero are convolved; the others stay as they are.
    /// </summary>
    public static void ApplyInPlace(Tensor images, IReadOnlyList<double> sigmas)
    {
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        if (sigmas.Count != n) throw new ArgumentException($"{sigmas.Count} sigmas for a batch of {n}.");
        var blurred = Enumerable.Range(0, (int)n).Where(i => sigmas[i] > 1e-6).ToArray();
        if (blurred.Length == 0) return;
        int radius = Math.Max(1, (int)Math.Ceiling(3 * blurred.Max(i => sigmas[i])));
        radius = (int)Math.Min(radius, Math.Min(h, w) - 1);
        int size = 2 * radius + 1;
        long m = blurred.Length;
        using var scope = NewDisposeScope();
        var kernels = tensor(Kernels(blurred.Select(i => sigmas[i]).ToArray(), radius), [m, size], dtype: images.dtype, device: images.device)
            .repeat_interleave(c, dim: 0);                       // one kernel per (sample, channel)
        var index = tensor(blurred.Select(i => (long)i).ToArray(), device: images.device);
        var chosen = m == n ? images : images.index_select(0, index);
        var flat = chosen.reshape(1, m * c, h, w);
        var horizontal = conv2d(pad(flat, [radius, radius, 0, 0], PaddingModes.Reflect), kernels.view(m * c, 1, 1, size), groups: m * c);
        var vertical = conv2d(pad(horizontal, [0, 0, radius, radius], PaddingModes.Reflect), kernels.view(m * c, 1, size, 1), groups: m * c)
            .reshape(m, c, h, w);
        if (m == n) images.copy_(vertical);
        else images.index_copy_(0, index, vertical);
    }
}
