using SoSeg.Tests.TestData;
using SoSeg.Models;
using SoSeg.Models.CaraNet;
using SoSeg.Runtime;
using SoSeg.Losses;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models;

public class CaraNetTests
{
    [Fact]
    public void Parameter_count_matches_the_official_model_and_one_forward_gives_four_maps()
    {
        using var random = new Generator(5);
        using var scope = NewDisposeScope();
        using var model = Seeded.Build(5, () => ModelRegistry.Create("caranet", 3, 2));
        long count = model.ParameterCount();
        Assert.Equal(44_594_530, count);
        // Official 46.64 M counts the unused Res2Net-101 fc (2,049,000), not built here; 2-channel maps cost
        // 970 more than the official 1-channel maps (decoder 1x1 97, three 3x3-BN-PReLU heads 291 each).
        // The official count also holds CFP_2, which its forward never calls; here it serves the X3 branch.
        Assert.InRange(count - 970 + 2_049_000, 46.635e6, 46.645e6);

        model.train();
        var output = model.ForwardWithSideOutputs(randn([1, 3, 64, 64], generator: random));
        Assert.Equal([1L, 2, 64, 64], output.Logits.shape);
        Assert.Equal(3, output.SideOutputs.Count);
        Assert.All(output.SideOutputs, s => Assert.Equal([1L, 2, 64, 64], s.shape));
        Assert.Null(output.Edge);
        Assert.IsType<StructureLoss>(ModelRegistry.PaperLoss("caranet"));
        Assert.True(output.Logits.isfinite().all().item<bool>());
    }

    [Theory]
    [InlineData(AttentionAxis.Height)]
    [InlineData(AttentionAxis.Width)]
    public void Axial_attention_attends_along_its_axis_on_non_square_maps(AttentionAxis axis)
    {
        using var random = new Generator(6);
        using var scope = NewDisposeScope();
        using var attention = Seeded.Build(6, () => new AxialSelfAttention(16, axis));
        var x = randn([2, 16, 3, 5], generator: random);
        // gamma starts at 0: the module is the identity at initialisation, as the official code.
        Assert.True(allclose(attention.call(x), x));

        var parameters = attention.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad()) parameters["gamma"].fill_(1);
        var q = nn.functional.conv2d(x, parameters["query.weight"]);
        var k = nn.functional.conv2d(x, parameters["key.weight"]);
        var v = nn.functional.conv2d(x, parameters["value.weight"]);
        Tensor expected = axis == AttentionAxis.Height
            ? einsum("bij,bcjw->bciw", einsum("bciw,bcjw->bij", q, k).sigmoid(), v)
            : einsum("bij,bchj->bchi", einsum("bchi,bchj->bij", q, k).sigmoid(), v);
        Assert.True(allclose(attention.call(x), expected + x, rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void Channel_feature_pyramid_keeps_the_shape()
    {
        using var scope = NewDisposeScope();
        using var cfp = new ChannelwiseFeaturePyramid(32, dilation: 8);
        cfp.eval();
        Assert.Equal([2L, 32, 12, 10], cfp.call(randn(2, 32, 12, 10)).shape);
        Assert.Throws<ArgumentException>(() => new ChannelwiseFeaturePyramid(24));
    }
}
