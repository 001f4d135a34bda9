using SoSeg.Data;
using SoSeg.Data.Statistics;
using static TorchSharp.torch;

namespace SoSeg.Augmentation;

/// <summary>
/// Foreground oversampling (nnU-Net forces a third of its patches onto foreground): a share of the crops is
/// centred on an object instead of placed uniformly. The object is drawn so that size does not decide how
/// often it is seen: a foreground class present in the sample uniformly, then a size bin of that class's
/// objects (ultra-small below 1% of the image, small below 10%, larger) uniformly among the bins it has, then an
/// object of the bin, then one of its pixels. That pixel lands in the central half of the crop window, so
/// rotation about the crop centre keeps it inside, unless the window would then reach past the image
/// (<see cref="WindowStart"/>). Samples without foreground keep their uniform crop. A batch's <see cref="CropFocus"/>
/// list, when given, decides instead which crops go onto objects and of which class.
/// </summary>
internal static class ForegroundCrops
{
    /// <summary>Area ratios that split objects into size bins (the evaluation's ultra-small and small strata).</summary>
    public static readonly double[] SizeBinBounds = [0.01, 0.10];

    /// <summary>Uniform draws per sample, one N x this tensor per batch from the pipeline's generator.</summary>
    const int DrawsPerSample = 7;

    /// <summary>
    /// Moves a share <see cref="AugmentationOptions.OversampleForeground"/> of the plans' windows onto objects, or, with
    /// <paramref name="focus"/>, exactly the windows it puts on a class (onto an object of that class).
    /// </summary>
    public static void Apply(SamplePlan[] plans, IReadOnlyList<SegmentationSample> samples, AugmentationOptions options, Generator generator,
                             IReadOnlyList<CropFocus>? focus = null)
    {
        if (focus is not null && focus.Count != samples.Count)
            throw new ArgumentException($"{focus.Count} crop focus entries for {samples.Count} samples.", nameof(focus));
        int n = samples.Count;
        double[] u;
        using (var draws = rand([n, DrawsPerSample], dtype: ScalarType.Float64, generator: generator))
            u = draws.data<double>().ToArray();
        for (int i = 0; i < n; i++)
        {
            double U(int k) => u[i * DrawsPerSample + k];
            // The draws are made either way, so a focus list leaves the other steps' random stream as it was.
            byte? onlyClass = focus?[i].Class;
            bool onObject = focus is null ? U(0) < options.OversampleForeground : onlyClass is not null;
            if (!onObject || samples[i].Mask is null) continue;
            if (DrawPixel(samples[i], U(1), U(2), U(3), U(4), onlyClass) is not var (x, y)) continue;
            var p = plans[i];
            plans[i] = p with
            {
                X0 = WindowStart(x, p.WindowWidth, samples[i].Width, U(5)),
                Y0 = WindowStart(y, p.WindowHeight, samples[i].Height, U(6)),
            };
        }
    }

    /// <summary>
    /// Start of a window of <paramref name="window"/> pixels on an axis of <paramref name="length"/> that holds
    /// <paramref name="pixel"/>: drawn uniformly among the starts that put the pixel in the window's middle half and
    /// keep the window inside the image (as nnU-Net keeps its patches inside the image). Near a border the window
    /// stops at the image's edge and the pixel moves off the middle half, towards that edge; only an image smaller
    /// than the window is padded, as a uniform crop of it is. Windows allowed past the image filled crops with
    /// padding that prediction on whole images never sees; a U-Net trained so predicted no foreground on whole
    /// sperm frames (docs/small-objects.md).
    /// </summary>
    internal static double WindowStart(int pixel, double window, int length, double u)
    {
        double lowest = pixel + 0.5 - 0.75 * window, highest = pixel + 0.5 - 0.25 * window;
        if (length >= window)
        {
            lowest = Math.Clamp(lowest, 0, Math.Floor(length - window));
            highest = Math.Clamp(highest, 0, Math.Floor(length - window));
        }
        return Math.Round(lowest + (highest - lowest) * u);
    }

    /// <summary>
    /// A foreground pixel of <paramref name="sample"/> drawn class-, size- and object-balanced from the four uniforms,
    /// or null when the sample has no foreground. With <paramref name="onlyClass"/> the class is that one when the
    /// sample holds it (any of its classes otherwise).
    /// </summary>
    public static (int X, int Y)? DrawPixel(SegmentationSample sample, double uClass, double uBin, double uObject, double uPixel, byte? onlyClass = null)
    {
        var objects = Objects(sample);
        if (objects.Count == 0) return null;
        var classes = objects.Select(o => o.Class).Distinct().Order().ToArray();
        if (onlyClass is byte only && classes.Contains(only)) classes = [only];
        int cls = classes[Pick(uClass, classes.Length)];
        var bins = objects.Where(o => o.Class == cls).GroupBy(o => o.SizeBin).OrderBy(g => g.Key).ToArray();
        var bin = bins[Pick(uBin, bins.Length)].ToArray();
        var chosen = bin[Pick(uObject, bin.Length)];
        int pixel = chosen.Pixels[Pick(uPixel, chosen.Pixels.Count)];
        return (pixel % sample.Width, pixel / sample.Width);
    }

    static int Pick(double u, int count) => Math.Min(count - 1, (int)(u * count));

    /// <summary>One object: its class, size bin (0 ultra-small, 1 small, 2 larger) and pixel indices.</summary>
    internal sealed record MaskObject(byte Class, int SizeBin, List<int> Pixels);

    /// <summary>The sample's objects (8-connected components of each foreground class, ignore label left out).</summary>
    public static List<MaskObject> Objects(SegmentationSample sample)
    {
        var mask = sample.Mask!;
        var labels = new int[mask.Length];
        int count = ConnectedComponents.LabelAllClasses(mask, sample.Height, sample.Width, labels);
        var objects = new MaskObject?[count + 1];
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if (label == 0) continue;
            (objects[label] ??= new MaskObject(mask[i], 0, [])).Pixels.Add(i);
        }
        double pixels = sample.PixelCount;
        return objects.OfType<MaskObject>().Select(o =>
        {
            double ratio = o.Pixels.Count / pixels;
            int bin = ratio < SizeBinBounds[0] ? 0 : ratio < SizeBinBounds[1] ? 1 : 2;
            return o with { SizeBin = bin };
        }).ToList();
    }
}
