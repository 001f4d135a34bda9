using SoSeg.Data;
using static TorchSharp.torch;

namespace SoSeg.Augmentation;

/// <summary>
/// The random choices for one sample of a batch, drawn up front from the pipeline's generator so that
/// a seed fixes the whole batch. Identity values (scale 1, angle 0, sigma 0, factor 1, delta 0) mean "not applied".
/// </summary>
internal readonly record struct SamplePlan(
    double Scale, double WindowWidth, double WindowHeight, double X0, double Y0, bool Flip, double AngleRadians, bool Elastic,
    double BlurSigma, double BrightnessDelta, double ContrastFirst, double ContrastLast, double Saturation, double HueRadians)
{
    /// <summary>Uniform draws per sample; fixed, so switching one transform off does not change the others' draws.</summary>
    public const int DrawsPerSample = 17;

    /// <summary>Draws the plans of a batch: one N x <see cref="DrawsPerSample"/> uniform tensor from <paramref name="generator"/>.</summary>
    public static SamplePlan[] Draw(IReadOnlyList<SegmentationSample> samples, AugmentationOptions o, Generator generator)
    {
        int n = samples.Count;
        double[] u;
        using (var draws = rand([n, DrawsPerSample], dtype: ScalarType.Float64, generator: generator))
            u = draws.data<double>().ToArray();
        var plans = new SamplePlan[n];
        for (int i = 0; i < n; i++)
        {
            var s = samples[i];
            double U(int k) => u[i * DrawsPerSample + k];
            double Between(int k, double min, double max) => min + U(k) * (max - min);
            bool Chance(int k, double p) => U(k) < p;

            double scale = 1;
            if (o.RandomScale)
            {
                double factor = Between(0, o.ScaleMin, o.ScaleMax);
                scale = o.ScaleRelativeToCrop
                    ? Math.Min(factor * o.CropSize / Math.Min(s.Height, s.Width), o.MaxLongSideFactor * o.CropSize / Math.Max(s.Height, s.Width))
                    : factor;
            }
            // The crop window in source pixels; where the image is smaller it sits at a random place inside the window.
            double window = o.CropSize / scale;
            double x0 = Math.Round((s.Width - window) * U(1));
            double y0 = Math.Round((s.Height - window) * U(2));

            bool pd = o.PhotometricDistortion;
            double p = o.PhotometricProbability;
            bool contrastFirst = U(10) < 0.5;
            double contrast = pd && Chance(11, p) ? Between(12, o.ContrastMin, o.ContrastMax) : 1;
            plans[i] = new SamplePlan(
                Scale: scale,
                WindowWidth: window,
                WindowHeight: window,
                X0: x0,
                Y0: y0,
                Flip: o.HorizontalFlip && Chance(3, o.FlipProbability),
                AngleRadians: o.Rotation ? Between(4, -o.MaxRotationDegrees, o.MaxRotationDegrees) * Math.PI / 180 : 0,
                Elastic: o.ElasticDeformation && Chance(5, o.ElasticProbability),
                BlurSigma: o.GaussianBlur && Chance(6, o.BlurProbability) ? Between(7, o.BlurSigmaMin, o.BlurSigmaMax) : 0,
                BrightnessDelta: pd && Chance(8, p) ? Between(9, -o.BrightnessDelta, o.BrightnessDelta) : 0,
                ContrastFirst: contrastFirst ? contrast : 1,
                ContrastLast: contrastFirst ? 1 : contrast,
                Saturation: pd && Chance(13, p) ? Between(14, o.SaturationMin, o.SaturationMax) : 1,
                HueRadians: pd && Chance(15, p) ? Between(16, -o.HueDeltaDegrees, o.HueDeltaDegrees) * Math.PI / 180 : 0);
        }
        return plans;
    }
}
