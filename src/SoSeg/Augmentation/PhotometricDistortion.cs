using static TorchSharp.torch;

namespace SoSeg.Augmentation;

/// <summary>
/// mmseg's PhotoMetricDistortion on a batch of images in [0, 1], with per-sample factors broadcast:
/// brightness (add a delta), contrast (multiply) either before or after the colour steps, saturation and
/// hue (RGB only), clamping to [0, 1] after each step as mmseg does. Saturation and hue are done together as
/// one 3 x 3 colour matrix per sample in YIQ space (scale and rotate the chroma plane I-Q, keep luma Y): a
/// linear, batched stand-in for mmseg's HSV conversion with the same effect on the look of an image.
/// </summary>
internal static class PhotometricDistortion
{
    // RGB -> YIQ (NTSC). Its inverse is computed, not rounded, so an identity distortion is exactly identity.
    static readonly double[,] RgbToYiq = { { 0.299, 0.587, 0.114 }, { 0.595716, -0.274453, -0.321263 }, { 0.211456, -0.522591, 0.311135 } };
    static readonly double[,] YiqToRgb = Invert(RgbToYiq);

    /// <summary>
    /// Applies the distortion of each plan to the N x C x H x W batch in place (C = 3: all steps; otherwise brightness
    /// and contrast). Steps that no sample of the batch draws are skipped.
    /// </summary>
    public static void ApplyInPlace(Tensor images, IReadOnlyList<PhotometricFactors> plans)
    {
        long n = images.shape[0], c = images.shape[1];
        if (plans.Count != n) throw new ArgumentException($"{plans.Count} plans for a batch of {n}.");
        using var scope = NewDisposeScope();
        Tensor PerSample(Func<PhotometricFactors, double> value) =>
            tensor(plans.Select(p => (float)value(p)).ToArray(), [n, 1, 1, 1], dtype: images.dtype, device: images.device);

        if (plans.Any(p => p.BrightnessDelta != 0)) images.add_(PerSample(p => p.BrightnessDelta)).clamp_(0, 1);
        if (plans.Any(p => p.ContrastFirst != 1)) images.mul_(PerSample(p => p.ContrastFirst)).clamp_(0, 1);
        if (c == 3 && plans.Any(p => p.Saturation != 1 || p.HueRadians != 0))
        {
            var matrices = tensor(plans.SelectMany(p => ColourMatrix(p.Saturation, p.HueRadians)).ToArray(), [n, 3, 3],
                                  dtype: images.dtype, device: images.device);
            images.copy_(matrices.bmm(images.reshape(n, 3, -1)).view(images.shape)).clamp_(0, 1);
        }
        if (plans.Any(p => p.ContrastLast != 1)) images.mul_(PerSample(p => p.ContrastLast)).clamp_(0, 1);
    }

    /// <summary>Row-major 3 x 3 RGB -> RGB matrix: to YIQ, scale I-Q by saturation and rotate them by hue, back to RGB.</summary>
    public static float[] ColourMatrix(double saturation, double hueRadians)
    {
        double cos = saturation * Math.Cos(hueRadians), sin = saturation * Math.Sin(hueRadians);
        double[,] chroma = { { 1, 0, 0 }, { 0, cos, -sin }, { 0, sin, cos } };
        var m = Multiply(YiqToRgb, Multiply(chroma, RgbToYiq));
        var result = new float[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) result[3 * i + j] = (float)m[i, j];
        return result;
    }

    static double[,] Multiply(double[,] a, double[,] b)
    {
        var r = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 3; k++) r[i, j] += a[i, k] * b[k, j];
        return r;
    }

    static double[,] Invert(double[,] m)
    {
        double det = m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1])
                   - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
                   + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);
        var r = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                // Cofactor of (j, i) over the determinant (adjugate formula).
                int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
                r[i, j] = (m[r0, c0] * m[r1, c1] - m[r0, c1] * m[r1, c0]) / det;
            }
        return r;
    }
}

/// <summary>One sample's photometric factors; identity values (delta 0, factor 1, angle 0) mean "not applied".</summary>
internal readonly record struct PhotometricFactors(double BrightnessDelta, double ContrastFirst, double ContrastLast, double Saturation, double HueRadians);
