using System.Runtime.InteropServices;
using SoSeg.Data;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace SoSeg.Augmentation;

/// <summary>
/// Turns a list of samples of any sizes into one augmented training batch on the training device.
/// Each augmentation is a registered <see cref="AugmentationStep"/> (<see cref="AugmentationRegistry"/>) that adds to one
/// shared plan. Order of operations (all per-sample randomness drawn first from the given generator):
/// <list type="number">
/// <item>plan: every step in registry order: random scale, crop window (512 px at the output scale; where the image
/// is smaller the window extends past it and that part is padding), flip, angle, elastic, blur sigma, photometric factors;</item>
/// <item>CPU: cut each sample's window (plus one pixel of context) out of its image and mask, stack them;</item>
/// <item>device: one <c>grid_sample</c> does scale, flip, rotation and elastic displacement (bilinear for the
/// image, nearest for the mask, so mask values are never blended); pixels whose source lies outside the image
/// or the cut-out window become image 0 and mask 255 (ignore). Without scale, rotation and elastic nothing is
/// resampled: the crop is exact slicing and the flip is done while copying;</item>
/// <item>device: the image steps in registry order: Gaussian blur (depthwise convolution, per-sample sigma), then
/// photometric distortion (per-sample factors broadcast);</item>
/// <item>the image is set back to 0 outside the source, so padding stays 0 whatever the distortion did.</item>
/// </list>
/// The authors' order is scale, flip, crop, blur, photometric, rotation; here the rotation is folded into the
/// single resampling before blur and photometric, which differs only in a 1-2 px blurred edge at rotated corners.
/// </summary>
public sealed class AugmentationPipeline
{
    /// <summary>Creates a pipeline; throws <see cref="ArgumentException"/> for options out of range.</summary>
    public AugmentationPipeline(AugmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The options this pipeline applies.</summary>
    public AugmentationOptions Options { get; }

    /// <summary>
    /// Augments a training batch. Images: N x C x S x S float32 in [0, 1] (S = <see cref="AugmentationOptions.CropSize"/>);
    /// masks: N x S x S int64 with the samples' class indices and 255 for ignored pixels. Every sample needs a mask.
    /// </summary>
    /// <param name="samples">Decoded samples, any sizes, all with the same channel count.</param>
    /// <param name="device">Where the batch is built and returned.</param>
    /// <param name="generator">A CPU generator: all random choices come from it, so a seed repeats the batch.</param>
    /// <param name="focus">Per sample, whether its crop goes onto an object and of which class, as a sampler that chose the
    /// samples for their objects decided (null: a share <see cref="AugmentationOptions.OversampleForeground"/> drawn here).</param>
    public (Tensor Images, Tensor Masks) Apply(IReadOnlyList<SegmentationSample> samples, Device device, Generator generator,
                                               IReadOnlyList<CropFocus>? focus = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (generator.device.type != DeviceType.CPU)
            throw new ArgumentException($"The augmentation generator must be a CPU generator (it is on {generator.device}); draws are made on the CPU so a seed repeats on every device.");
        int channels = CheckSamples(samples, requireMasks: true);
        var plan = BatchPlan.Draw(samples, Options, generator);
        var plans = plan.Samples;
        // Drawn only when on, so the paper's recipe keeps its exact random stream.
        if (Options.OversampleForeground > 0 || focus is not null) ForegroundCrops.Apply(plans, samples, Options, generator, focus);

        using var scope = NewDisposeScope();
        var active = AugmentationRegistry.Steps.Where(step => step.IsOn(Options)).ToArray();
        // Further draws (elastic noise) come right after the plans, from the same generator, only for steps that are on.
        foreach (var step in active) step.DrawAfterPlan(plan, Options, generator);
        var (images, codes) = Options.Resamples
            ? Warp(plan, active, channels, device)
            : Crop(samples, plans, channels, device);
        var (masks, valid) = Decode(codes);
        // The batch is this pipeline's own fresh tensor, so image steps (blur, distortion) work in place.
        foreach (var step in active) step.ApplyToImages(images, plan, Options);
        images = images.mul_(valid.unsqueeze(1));
        return (images.MoveToOuterDisposeScope(), masks.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Evaluation batch without randomness: every sample is padded at the bottom and right to the largest height
    /// and width in the list (image 0, mask 255), nothing is resized. Samples without a mask get an all-255 mask.
    /// Images N x C x Hmax x Wmax float32, masks N x Hmax x Wmax int64.
    /// </summary>
    public static (Tensor Images, Tensor Masks) Collate(IReadOnlyList<SegmentationSample> samples, Device device)
    {
        int channels = CheckSamples(samples, requireMasks: false);
        int height = samples.Max(s => s.Height), width = samples.Max(s => s.Width);
        using var scope = NewDisposeScope();
        var (images, codes) = Paste(samples, samples.Select(_ => new Window(0, 0, width, height, false)).ToArray(), channels, width, height, replicateEdges: false);
        var (masks, _) = Decode(codes.to(device));
        return (images.to(device).MoveToOuterDisposeScope(), masks.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The part of a sample copied to the host canvas: top-left in image pixels (may be negative, then the canvas
    /// starts with padding), at most Width x Height pixels, mirrored or not.
    /// </summary>
    readonly record struct Window(int X0, int Y0, int Width, int Height, bool Flip);

    /// <summary>Integer crop windows of the output size, flipped while copying: no resampling at all.</summary>
    (Tensor Images, Tensor Codes) Crop(IReadOnlyList<SegmentationSample> samples, SamplePlan[] plans, int channels, Device device)
    {
        int size = Options.CropSize;
        var windows = plans.Select(p => new Window((int)p.X0, (int)p.Y0, size, size, p.Flip)).ToArray();
        var (images, codes) = Paste(samples, windows, channels, size, size, replicateEdges: false);
        return (images.to(device), codes.to(device));
    }

    /// <summary>
    /// Copies each sample's window into a host canvas of width x height: images float32 N x C x H x W (0 outside the
    /// image) and mask codes int16 N x H x W holding label + 1, with 0 where the window is outside the image. The codes
    /// survive nearest resampling with zero padding, so "outside" needs no separate validity map.
    /// <paramref name="replicateEdges"/> repeats the last column and row once past the copied area, so bilinear
    /// sampling at the outermost half pixel sees the edge value instead of padding.
    /// </summary>
    static (Tensor Images, Tensor Codes) Paste(IReadOnlyList<SegmentationSample> samples, Window[] windows, int channels,
                                               int width, int height, bool replicateEdges)
    {
        int n = samples.Count, plane = width * height;
        var images = zeros([n, channels, height, width], dtype: ScalarType.Float32);
        var codes = zeros([n, height, width], dtype: ScalarType.Int16);
        var imageData = MemoryMarshal.Cast<byte, float>(images.bytes);
        var codeData = MemoryMarshal.Cast<byte, short>(codes.bytes);
        for (int i = 0; i < n; i++)
        {
            var s = samples[i];
            var (x0, y0, windowWidth, windowHeight, flip) = windows[i];
            // Overlap of the window with the image, in image coordinates.
            int left = Math.Max(x0, 0), right = Math.Min(x0 + Math.Min(windowWidth, width), s.Width);
            int top = Math.Max(y0, 0), bottom = Math.Min(y0 + Math.Min(windowHeight, height), s.Height);
            int span = right - left;
            if (span <= 0 || bottom <= top) continue;
            int column = left - x0;
            for (int y = top; y < bottom; y++)
            {
                int row = y - y0;
                for (int c = 0; c < channels; c++)
                {
                    var source = s.Image.AsSpan(c * s.PixelCount + y * s.Width + left, span);
                    var target = imageData.Slice((i * channels + c) * plane + row * width, width);
                    if (!flip) source.CopyTo(target[column..]);
                    else for (int x = 0; x < span; x++) target[width - 1 - column - x] = source[x];
                    if (replicateEdges && column + span < width) target[column + span] = source[span - 1];
                }
                var codeRow = codeData.Slice(i * plane + row * width, width);
                var labels = s.Mask is { } m ? m.AsSpan(y * s.Width + left, span) : default;
                for (int x = 0; x < span; x++)
                    codeRow[flip ? width - 1 - column - x : column + x] = (short)((s.Mask is null ? AugmentationOptions.IgnoreIndex : labels[x]) + 1);
            }
            if (replicateEdges && bottom - y0 < height)
                for (int c = 0; c < channels; c++)
                {
                    var planeData = imageData.Slice((i * channels + c) * plane, plane);
                    planeData.Slice((bottom - 1 - y0) * width, width).CopyTo(planeData.Slice((bottom - y0) * width, width));
                }
        }
        return (images, codes);
    }

    /// <summary>Mask codes (label + 1, 0 = outside; any dtype holding whole numbers) to int64 masks with 255 outside, and the inside map as float32.</summary>
    static (Tensor Masks, Tensor Valid) Decode(Tensor codes)
    {
        // In-place steps: on the CPU every fresh N x S x S temporary costs page faults, which dominate these cheap ops.
        var masks = codes.to(ScalarType.Int64);
        var outside = masks.eq(0);
        masks.sub_(1).masked_fill_(outside, AugmentationOptions.IgnoreIndex);
        return (masks, outside.logical_not_().to(ScalarType.Float32));
    }

    /// <summary>Scale, flip, rotation and elastic displacement as one grid_sample per batch (image bilinear, codes nearest).</summary>
    (Tensor Images, Tensor Codes) Warp(BatchPlan plan, IReadOnlyList<AugmentationStep> active, int channels, Device device)
    {
        var (samples, plans) = (plan.SampleList, plan.Samples);
        int n = samples.Count, size = Options.CropSize;
        // Source region per sample: the window's overlap with the image plus one pixel of context for bilinear sampling.
        var regions = new Window[n];
        int canvasWidth = 1, canvasHeight = 1;
        for (int i = 0; i < n; i++)
        {
            var (s, p) = (samples[i], plans[i]);
            int x0 = Math.Clamp((int)Math.Floor(p.X0) - 1, 0, s.Width - 1), x1 = Math.Clamp((int)Math.Ceiling(p.X0 + p.WindowWidth) + 1, x0 + 1, s.Width);
            int y0 = Math.Clamp((int)Math.Floor(p.Y0) - 1, 0, s.Height - 1), y1 = Math.Clamp((int)Math.Ceiling(p.Y0 + p.WindowHeight) + 1, y0 + 1, s.Height);
            regions[i] = new Window(x0, y0, x1 - x0, y1 - y0, false);
            canvasWidth = Math.Max(canvasWidth, x1 - x0);
            canvasHeight = Math.Max(canvasHeight, y1 - y0);
        }
        var (image, codes) = Paste(samples, regions, channels, canvasWidth, canvasHeight, replicateEdges: true);

        // Output pixel (a, b) in [-1, 1]^2 -> flip -> rotate about the crop centre -> window -> canvas, in grid units.
        var theta = new float[n * 6];
        for (int i = 0; i < n; i++)
        {
            var (p, r) = (plans[i], regions[i]);
            double cos = Math.Cos(p.AngleRadians), sin = Math.Sin(p.AngleRadians), flip = p.Flip ? -1 : 1;
            double sx = p.WindowWidth / canvasWidth, sy = p.WindowHeight / canvasHeight;
            theta[6 * i + 0] = (float)(sx * cos * flip);
            theta[6 * i + 1] = (float)(-sx * sin);
            theta[6 * i + 2] = (float)((2 * (p.X0 - r.X0) + p.WindowWidth) / canvasWidth - 1);
            theta[6 * i + 3] = (float)(sy * sin * flip);
            theta[6 * i + 4] = (float)(sy * cos);
            theta[6 * i + 5] = (float)((2 * (p.Y0 - r.Y0) + p.WindowHeight) / canvasHeight - 1);
        }
        var grid = affine_grid(tensor(theta, [n, 2, 3], device: device), [n, channels, size, size], align_corners: false);
        foreach (var step in active)
            if (step.Displacement(plan, Options, canvasWidth, canvasHeight, device) is { } displacement) grid = grid.add_(displacement);

        var images = grid_sample(image.to(device), grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
        var sampledCodes = grid_sample(codes.to(device).unsqueeze(1).to(ScalarType.Float32), grid, GridSampleMode.Nearest,
                                       GridSamplePaddingMode.Zeros, align_corners: false).squeeze(1);
        return (images, sampledCodes);   // nearest sampling copies the whole-number codes exactly
    }

    /// <summary>Checks sizes and channel counts; returns the common channel count.</summary>
    static int CheckSamples(IReadOnlyList<SegmentationSample> samples, bool requireMasks)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("The batch is empty.", nameof(samples));
        int channels = samples[0].Channels;
        foreach (var s in samples)
        {
            if (s.Channels != channels)
                throw new ArgumentException($"Sample {s.Id} has {s.Channels} channels, sample {samples[0].Id} has {channels}; a batch needs one channel count.");
            if (s.Height < 1 || s.Width < 1 || s.Image.Length != (long)s.Channels * s.Height * s.Width)
                throw new ArgumentException($"Sample {s.Id}: image has {s.Image.Length} values for {s.Channels} x {s.Height} x {s.Width}.");
            if (s.Mask is null && requireMasks) throw new ArgumentException($"Sample {s.Id} ({s.Origin.ImagePath}) has no mask; training needs masks.");
            if (s.Mask is { } m && m.Length != s.PixelCount)
                throw new ArgumentException($"Sample {s.Id}: mask has {m.Length} values for {s.Height} x {s.Width}.");
        }
        return channels;
    }
}
