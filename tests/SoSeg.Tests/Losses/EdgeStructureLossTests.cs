using SoSeg.Tests.TestData;
using SoSeg.Models;
using SoSeg.Runtime;
using SoSeg.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Tests.Losses;

public class EdgeStructureLossTests
{
    static Tensor Square(int size, int from, int to, long label = 1)
    {
        var target = zeros(1, size, size, dtype: ScalarType.Int64);
        target[.., from..to, from..to] = label;
        return target;
    }

    [Fact]
    public void Edge_of_a_filled_square_is_its_ring()
    {
        using var scope = NewDisposeScope();
        // 4x4 square at rows/cols 2..5 of an 8x8 image: dilation covers 1..6, erosion 3..4.
        var edge = EdgeTargets.FromLabels(Square(8, 2, 6), numClasses: 2);
        var expected = zeros(1, 1, 8, 8);
        expected[.., .., 1..7, 1..7] = 1;
        expected[.., .., 3..5, 3..5] = 0;
        Assert.Equal([1L, 1, 8, 8], edge.shape);
        Assert.True(allclose(edge, expected));
        Assert.Equal(32f, edge.sum().item<float>());

        // A 5x5 element widens the band by one pixel on each side.
        var wide = EdgeTargets.FromLabels(Square(10, 3, 7), numClasses: 2, kernelSize: 5);
        Assert.Equal(64f, wide.sum().item<float>()); // dilation 8x8, erosion of a 4x4 by 2 is empty
    }

    [Fact]
    public void Uniform_images_image_borders_and_ignored_pixels_make_no_edges()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(0f, EdgeTargets.FromLabels(ones(2, 6, 6, dtype: ScalarType.Int64), 2).sum().item<float>());
        var withIgnore = zeros(1, 6, 6, dtype: ScalarType.Int64);
        withIgnore[.., 2..4, 2..4] = ISegmentationLoss.IgnoreIndex;
        Assert.Equal(0f, EdgeTargets.FromLabels(withIgnore, 2).sum().item<float>());
    }

    [Fact]
    public void Boundaries_between_two_foreground_classes_are_edges()
    {
        using var scope = NewDisposeScope();
        // Left half class 1, right half class 2: the two columns at the seam are edge.
        var target = ones(1, 4, 6, dtype: ScalarType.Int64);
        target[.., .., 3..] = 2;
        var edge = EdgeTargets.FromLabels(target, 3);
        var expected = zeros(1, 1, 4, 6);
        expected[.., .., .., 2..4] = 1;
        Assert.True(allclose(edge, expected));
    }

    [Fact]
    public void Edge_loss_is_the_mean_BCE_over_labelled_pixels()
    {
        using var scope = NewDisposeScope();
        var loss = new EdgeStructureLoss(new StructureLoss(weightedBce: true));
        var target = Square(8, 2, 6);
        // Zero logits: BCE = ln 2 at every pixel whatever the edge label.
        Assert.Equal(Math.Log(2), loss.EdgeLoss(zeros(1, 1, 8, 8), target, 2).item<float>(), 5);

        // Confident correct edge logits, arbitrary logits on ignored pixels: near zero.
        var edge = EdgeTargets.FromLabels(target, 2);
        var logits = (edge * 2 - 1) * 20;
        target[.., 7, ..] = ISegmentationLoss.IgnoreIndex;
        logits[.., .., 7, ..] = 20;
        Assert.True(loss.EdgeLoss(logits, target, 2).item<float>() < 1e-6);
    }

    [Fact]
    public void Compute_adds_the_edge_term_to_the_structure_loss_of_every_map()
    {
        using var random = new Generator(21);
        using var scope = NewDisposeScope();
        var structure = new StructureLoss(weightedBce: true);
        var loss = new EdgeStructureLoss(structure, edgeWeight: 2);
        var target = Square(8, 1, 5);
        var output = new SegmentationOutput(randn([1, 2, 8, 8], generator: random), [randn([1, 2, 8, 8], generator: random), randn([1, 2, 8, 8], generator: random)], randn([1, 1, 8, 8], generator: random));
        float expected = 2 * loss.EdgeLoss(output.Edge!, target, 2).item<float>() + structure.Compute(output, target).item<float>();
        Assert.Equal(expected, loss.Compute(output, target).item<float>(), 4);

        var noEdge = Assert.Throws<ArgumentException>(() => loss.Compute(new SegmentationOutput(randn([1, 2, 8, 8], generator: random)), target));
        Assert.Contains("edge", noEdge.Message);
    }
}
