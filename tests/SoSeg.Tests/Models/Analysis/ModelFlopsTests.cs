using SoSeg.Models;
using SoSeg.Models.Analysis;
using SoSeg.Runtime;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models.Analysis;

/// <summary>
/// Whole registered models counted against sums worked out by hand from their layer shapes (one grey
/// 32 x 32 image, 2 classes): a 3x3 convolution costs pixels x Cout x Cin x 9 multiply-accumulates, a 2x2
/// stride-2 transposed one input pixels x Cin x Cout x 4, a 1x1 head pixels x Cin x Cout.
/// </summary>
public class ModelFlopsTests
{
    public ModelFlopsTests() => TorchRuntime.Initialise();

    static long Conv3(long pixels, long cin, long cout) => pixels * cout * cin * 9;

    [Fact]
    public void A_narrow_unet_costs_its_convolutions()
    {
        // Widths 2, 4, 8, 16, 32 at 32², 16², 8², 4², 2² pixels.
        long[] widths = [2, 4, 8, 16, 32];
        long[] pixels = [1024, 256, 64, 16, 4];
        long encoder = Conv3(1024, 1, 2) + Conv3(1024, 2, 2);
        for (int level = 1; level < 5; level++)
            encoder += Conv3(pixels[level], widths[level - 1], widths[level]) + Conv3(pixels[level], widths[level], widths[level]);
        Assert.Equal(5 * 55_296, encoder);
        long decoder = 0;
        for (int level = 4; level >= 1; level--)
        {
            long up = pixels[level] * widths[level] * (widths[level] / 2) * 4; // transposed 2x2: C -> C/2
            long conv = Conv3(pixels[level - 1], widths[level], widths[level - 1]) + Conv3(pixels[level - 1], widths[level - 1], widths[level - 1]);
            decoder += up + conv;
        }
        Assert.Equal(4 * (8_192 + 73_728 + 36_864), decoder);
        long head = 1024 * 2 * 2;
        const long expected = 755_712;
        Assert.Equal(expected, encoder + decoder + head);

        using var model = ModelRegistry.Create("unet", 1, 2, ModelOptions.Parse(["base-width=2"]));
        model.eval();
        var report = FlopCounter.Measure(model, zeros(1, 1, 32, 32));
        Assert.Equal(expected, report.ProductMacs);
        Assert.Equal(2 * expected, report.Flops);
    }

    [Fact]
    public void A_narrow_unet_plus_plus_costs_every_nested_node_and_all_four_heads()
    {
        // Widths 1, 2, 4, 8, 16: pixels x width² is 1024 at every level but the deepest.
        long[] widths = [1, 2, 4, 8, 16];
        long[] pixels = [1024, 256, 64, 16, 4];
        long encoder = Conv3(1024, 1, 1) + Conv3(1024, 1, 1);
        for (int level = 1; level < 5; level++)
            encoder += Conv3(pixels[level], widths[level - 1], widths[level]) + Conv3(pixels[level], widths[level], widths[level]);
        Assert.Equal(73_728, encoder);
        // Node X(level, column): upsample X(level+1, column-1), concatenate with the column previous nodes of its
        // level, two 3x3 convolutions to the level's width.
        long nodes = 0;
        for (int column = 1; column < 5; column++)
            for (int level = 0; level < 5 - column; level++)
            {
                long up = pixels[level + 1] * widths[level + 1] * widths[level] * 4;
                nodes += up + Conv3(pixels[level], widths[level] * (column + 1), widths[level]) + Conv3(pixels[level], widths[level], widths[level]);
            }
        Assert.Equal(4 * 29_696 + 3 * 38_912 + 2 * 48_128 + 57_344, nodes);
        long heads = 4 * 1024 * 1 * 2;
        const long expected = 471_040;
        Assert.Equal(expected, encoder + nodes + heads);

        using var model = ModelRegistry.Create("unetpp", 1, 2, ModelOptions.Parse(["base-width=1"]));
        model.eval();
        var report = FlopCounter.Measure(model, zeros(1, 1, 32, 32));
        Assert.Equal(expected, report.ProductMacs);
        Assert.Equal(2 * expected, report.Flops);
    }
}
