using System.Text.Json.Serialization;

namespace SoSeg.Augmentation;

/// <summary>
/// The training augmentations of SoSegFormer (paper III-B: "random horizontal flip, random crop with a
/// resolution of 512x512, Gaussian blur, distortion, and rotation"; the authors' code adds a random scale).
/// The defaults follow the authors' public code (SvANet's segmentation transforms):
/// <list type="bullet">
/// <item>random scale on: the short side becomes 0.5-1.5 x <see cref="CropSize"/> (256-768 px for 512), long side at most 2 x <see cref="CropSize"/>;</item>
/// <item>horizontal flip with probability 0.5;</item>
/// <item>random crop to 512 x 512, padding (image 0, mask 255 = ignore) where the image is smaller;</item>
/// <item>Gaussian blur with probability 0.5, sigma uniform in [0.1, 1.0] px;</item>
/// <item>"distortion" = photometric distortion (mmseg's PhotoMetricDistortion: brightness, contrast, saturation, hue,
/// each with probability 0.5) ON; elastic deformation OFF (available, switch <see cref="ElasticDeformation"/> on);</item>
/// <item>rotation uniform in +-10 degrees, always; corners that leave the crop become image 0 / mask 255.</item>
/// </list>
/// Geometry (scale, flip, rotation, elastic) is one resampling: bilinear for the image, nearest for the mask.
/// </summary>
public sealed record AugmentationOptions
{
    /// <summary>The mask value of pixels the loss ignores (padding and areas rotated in from outside).</summary>
    public const byte IgnoreIndex = 255;

    /// <summary>The smallest training crop: every model halves its input at least four times.</summary>
    public const int MinimumCropSize = 16;

    /// <summary>Side of the square training crop in pixels, at least <see cref="MinimumCropSize"/>. Default 512.</summary>
    public int CropSize { get; init; } = 512;

    /// <summary>Random rescaling before the crop. Default on (authors' RandomShortSizeResize).</summary>
    public bool RandomScale { get; init; } = true;
    /// <summary>Smallest scale factor. Default 0.5.</summary>
    public double ScaleMin { get; init; } = 0.5;
    /// <summary>Largest scale factor. Default 1.5.</summary>
    public double ScaleMax { get; init; } = 1.5;
    /// <summary>
    /// True (default, authors' code): the factor sets the short side to factor x <see cref="CropSize"/>, and the long side
    /// is kept at most <see cref="MaxLongSideFactor"/> x <see cref="CropSize"/>; so frames of any size come out at a similar
    /// scale. False: the factor multiplies the image's own size.
    /// </summary>
    public bool ScaleRelativeToCrop { get; init; } = true;
    /// <summary>Cap on the rescaled long side, in multiples of <see cref="CropSize"/> (authors: 1024 px for 512). Default 2.</summary>
    public double MaxLongSideFactor { get; init; } = 2.0;

    /// <summary>Random horizontal flip. Default on.</summary>
    public bool HorizontalFlip { get; init; } = true;
    /// <summary>Probability of flipping a sample. Default 0.5.</summary>
    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Random rotation about the crop centre. Default on.</summary>
    public bool Rotation { get; init; } = true;
    /// <summary>Angles are uniform in [-MaxRotationDegrees, +MaxRotationDegrees]. Default 10.</summary>
    public double MaxRotationDegrees { get; init; } = 10;

    /// <summary>Elastic deformation (smooth random displacement field). Default OFF.</summary>
    public bool ElasticDeformation { get; init; }
    /// <summary>Probability of deforming a sample when <see cref="ElasticDeformation"/> is on. Default 0.5.</summary>
    public double ElasticProbability { get; init; } = 0.5;
    /// <summary>Standard deviation of the displacement at the control points, in output pixels. Default 6.</summary>
    public double ElasticAlpha { get; init; } = 6;
    /// <summary>Distance between control points of the displacement field, in output pixels (bicubic in between). Default 64.</summary>
    public double ElasticGridSpacing { get; init; } = 64;

    /// <summary>Random Gaussian blur of the image. Default on.</summary>
    public bool GaussianBlur { get; init; } = true;
    /// <summary>Probability of blurring a sample. Default 0.5 (authors' RandomGaussianBlur).</summary>
    public double BlurProbability { get; init; } = 0.5;
    /// <summary>Smallest sigma in pixels. Default 0.1.</summary>
    public double BlurSigmaMin { get; init; } = 0.1;
    /// <summary>Largest sigma in pixels (the kernel spans +-3 sigma of this). Default 1.0 (authors: radius uniform in [0, 1)).</summary>
    public double BlurSigmaMax { get; init; } = 1.0;

    /// <summary>Photometric distortion as mmseg's PhotoMetricDistortion. Default ON (this is the paper's "distortion").</summary>
    public bool PhotometricDistortion { get; init; } = true;
    /// <summary>Probability of each photometric step (brightness, contrast, saturation, hue) per sample. Default 0.5.</summary>
    public double PhotometricProbability { get; init; } = 0.5;
    /// <summary>Brightness: add a value uniform in +-BrightnessDelta (intensities in [0, 1]). Default 32/255 (mmseg's 32).</summary>
    public double BrightnessDelta { get; init; } = 32.0 / 255.0;
    /// <summary>Contrast: multiply by a factor uniform in [ContrastMin, ContrastMax]. Default 0.5.</summary>
    public double ContrastMin { get; init; } = 0.5;
    /// <summary>Default 1.5.</summary>
    public double ContrastMax { get; init; } = 1.5;
    /// <summary>Saturation (RGB only): scale the chroma by a factor uniform in [SaturationMin, SaturationMax]. Default 0.5.</summary>
    public double SaturationMin { get; init; } = 0.5;
    /// <summary>Default 1.5.</summary>
    public double SaturationMax { get; init; } = 1.5;
    /// <summary>Hue (RGB only): rotate the chroma by an angle uniform in +-HueDeltaDegrees. Default 36 (mmseg's 18 OpenCV hue units).</summary>
    public double HueDeltaDegrees { get; init; } = 36;

    /// <summary>
    /// Share of crops centred on an object, drawn size-balanced (<see cref="ForegroundCrops"/>); the rest are placed
    /// uniformly. 0 (default, the paper's recipe) places every crop uniformly; nnU-Net uses 1/3.
    /// </summary>
    public double OversampleForeground { get; init; }

    /// <summary>The paper's recipe as the authors' code runs it (the defaults above).</summary>
    public static AugmentationOptions Default { get; } = new();

    /// <summary>Random crop (and padding) only: every other transform off.</summary>
    public static AugmentationOptions CropOnly { get; } = new()
    {
        RandomScale = false, HorizontalFlip = false, Rotation = false, ElasticDeformation = false,
        GaussianBlur = false, PhotometricDistortion = false,
    };

    /// <summary>The random rescale as a <see cref="Augmentation.ScaleMode"/> (<see cref="RandomScale"/> and <see cref="ScaleRelativeToCrop"/> together).</summary>
    [JsonIgnore]
    public ScaleMode ScaleMode => !RandomScale ? ScaleMode.Off : ScaleRelativeToCrop ? ScaleMode.Crop : ScaleMode.Image;

    /// <summary>This crop and foreground sampling with every transform off (training on plain random crops).</summary>
    public AugmentationOptions WithoutTransforms() => CropOnly with { CropSize = CropSize, OversampleForeground = OversampleForeground };

    /// <summary>Names of the switchable steps that are on (<see cref="AugmentationRegistry.Names"/>), in application order.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> ActiveSteps => AugmentationRegistry.Steps.Where(s => s.Switchable && s.IsOn(this)).Select(s => s.Name).ToArray();

    /// <summary>True when some sample may need resampling (scale, rotation or elastic), not just cropping and flipping.</summary>
    public bool Resamples => AugmentationRegistry.Steps.Any(step => step.Resamples && step.IsOn(this));

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (!(OversampleForeground is >= 0 and <= 1)) throw SettingError.Invalid(nameof(OversampleForeground), $"must be a share in [0, 1] (got {OversampleForeground}).");
        if (CropSize < MinimumCropSize) throw SettingError.Invalid(nameof(CropSize), $"must be at least {MinimumCropSize} (got {CropSize}).");
        if (RandomScale && !(ScaleMin > 0 && ScaleMax >= ScaleMin && double.IsFinite(ScaleMax)))
            throw SettingError.Invalid("ScaleRange", $"must be two finite numbers with 0 < MIN <= MAX (got {ScaleMin} {ScaleMax}).");
        if (RandomScale && ScaleRelativeToCrop && !(MaxLongSideFactor > 0 && double.IsFinite(MaxLongSideFactor)))
            throw new ArgumentException($"MaxLongSideFactor must be positive, not {MaxLongSideFactor}.");
        CheckProbability(FlipProbability, nameof(FlipProbability));
        CheckProbability(ElasticProbability, nameof(ElasticProbability));
        CheckProbability(BlurProbability, nameof(BlurProbability));
        CheckProbability(PhotometricProbability, nameof(PhotometricProbability));
        if (!(MaxRotationDegrees >= 0 && MaxRotationDegrees <= 180)) throw new ArgumentException($"MaxRotationDegrees must be in [0, 180], not {MaxRotationDegrees}.");
        if (!(ElasticAlpha >= 0 && double.IsFinite(ElasticAlpha)) || ElasticGridSpacing < 2)
            throw new ArgumentException($"ElasticAlpha must be >= 0 and ElasticGridSpacing >= 2 (got {ElasticAlpha}, {ElasticGridSpacing}).");
        if (GaussianBlur && !(BlurSigmaMin >= 0 && BlurSigmaMax >= BlurSigmaMin && BlurSigmaMax <= 10))
            throw new ArgumentException($"Blur sigma range [{BlurSigmaMin}, {BlurSigmaMax}] must be ordered, non-negative and at most 10.");
        if (!(BrightnessDelta >= 0 && BrightnessDelta <= 1)) throw new ArgumentException($"BrightnessDelta must be in [0, 1], not {BrightnessDelta}.");
        if (!(ContrastMin >= 0 && ContrastMax >= ContrastMin && double.IsFinite(ContrastMax))) throw new ArgumentException($"Contrast range [{ContrastMin}, {ContrastMax}] must be non-negative and ordered.");
        if (!(SaturationMin >= 0 && SaturationMax >= SaturationMin && double.IsFinite(SaturationMax))) throw new ArgumentException($"Saturation range [{SaturationMin}, {SaturationMax}] must be non-negative and ordered.");
        if (!(HueDeltaDegrees >= 0 && HueDeltaDegrees <= 180)) throw new ArgumentException($"HueDeltaDegrees must be in [0, 180], not {HueDeltaDegrees}.");
    }

    static void CheckProbability(double p, string name)
    {
        if (p is < 0 or > 1 || double.IsNaN(p)) throw new ArgumentException($"{name} must be a probability in [0, 1], not {p}.");
    }
}
