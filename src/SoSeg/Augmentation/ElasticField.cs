using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace SoSeg.Augmentation;

/// <summary>
/// Elastic deformation: Gaussian displacements at control points every <see cref="AugmentationOptions.ElasticGridSpacing"/>
/// output pixels, interpolated bicubically into a smooth field over the crop (the control-point form of
/// Simard et al.'s smoothed random field, as in nnU-Net/batchgenerators' deformations).
/// </summary>
internal static class ElasticField
{
    /// <summary>Control points per side for a crop.</summary>
    public static int ControlPoints(AugmentationOptions options) =>
        (int)Math.Ceiling(options.CropSize / options.ElasticGridSpacing) + 1;

    /// <summary>N x 2 x P x P standard normal draws on the CPU (P = <see cref="ControlPoints"/>).</summary>
    public static Tensor DrawNoise(int samples, AugmentationOptions options, Generator generator)
    {
        int points = ControlPoints(options);
        return randn([samples, 2, points, points], generator: generator).mul_(options.ElasticAlpha);
    }

    /// <summary>
    /// N x S x S x 2 displacement in grid_sample units of the source canvas (zero for samples whose plan has no
    /// elastic step); <paramref name="noise"/> holds the displacements at the control points in output pixels.
    /// </summary>
    public static Tensor Displacement(Tensor noise, IReadOnlyList<SamplePlan> plans, IReadOnlyList<bool> applied, int size, int canvasWidth, int canvasHeight, Device device)
    {
        int n = plans.Count;
        using var scope = NewDisposeScope();
        var field = interpolate(noise.to(device), [size, size], mode: InterpolationMode.Bicubic, align_corners: true); // N x 2 x S x S, output px
        // Output pixels -> source pixels (window / crop) -> canvas grid units (2 / canvas side); zero where not applied.
        var toGrid = new float[n * 2];
        for (int i = 0; i < n; i++)
        {
            double sourcePerOutput = plans[i].WindowWidth / size;
            toGrid[2 * i] = applied[i] ? (float)(sourcePerOutput * 2 / canvasWidth) : 0;
            toGrid[2 * i + 1] = applied[i] ? (float)(plans[i].WindowHeight / size * 2 / canvasHeight) : 0;
        }
        var scale = tensor(toGrid, [n, 2, 1, 1], device: device);
        return (field * scale).permute(0, 2, 3, 1).MoveToOuterDisposeScope();
    }
}
