using SoSeg.Tests.TestData;
using SoSeg.Models;
using SoSeg.Models.CFANet;
using SoSeg.Runtime;
using SoSeg.Losses;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models;

// Sequential: layers draw their initial weights from libtorch's one global generator, so a seeded build is only
// repeatable while no other test draws from it; the single-sample test depends on those weights.
[Collection(SequentialCollection.Name)]
public class CFANetTests
{
    [Fact]
    public void Parameter_count_matches_the_official_model()
    {
        using var model = ModelRegistry.Create("cfanet", 3, 2);
        long count = model.ParameterCount();
        Assert.Equal(25_239_153, count);
        // Official 25.83 M includes eight conv-BN units (layer_cat_ori1/11/21/31 and layer_cat_ori2/12/22/32,
        // 73,920 each = 591,360) that its forward never calls, not built here; 2-channel heads cost 3 x 65 more.
        Assert.InRange(count + 591_360 - 195, 25.825e6, 25.835e6);
    }

    [Fact]
    public void Returns_K_class_maps_two_side_outputs_and_a_one_channel_edge_map()
    {
        using var random = new Generator(7);
        using var scope = NewDisposeScope();
        using var model = Seeded.Build(7, () => ModelRegistry.Create("cfanet", 3, 3));
        model.train();
        var output = model.ForwardWithSideOutputs(randn([2, 3, 64, 48], generator: random));
        Assert.Equal([2L, 3, 64, 48], output.Logits.shape);
        Assert.Equal(2, output.SideOutputs.Count);
        Assert.All(output.SideOutputs, s => Assert.Equal([2L, 3, 64, 48], s.shape));
        Assert.NotNull(output.Edge);
        Assert.Equal([2L, 1, 64, 48], output.Edge!.shape);

        var loss = Assert.IsType<EdgeStructureLoss>(ModelRegistry.PaperLoss("cfanet"));
        var target = randint(0, 3, [2, 64, 48], dtype: ScalarType.Int64, generator: random);
        Assert.True(loss.Compute(output, target).isfinite().item<bool>());
    }

    [Fact]
    public void Global_attention_trains_on_a_single_sample_without_corrupting_its_statistics()
    {
        using var random = new Generator(8);
        using var scope = NewDisposeScope();
        using var attention = Seeded.Build(8, () => new GlobalAttention(16));
        attention.train();
        var buffers = attention.named_buffers().Where(b => b.name.EndsWith("running_var")).Select(b => b.buffer).ToList();
        var before = buffers.Select(b => b.clone()).ToList();

        var single = randn([1, 16, 4, 4], requires_grad: true, generator: random);
        var weights = attention.call(single);
        Assert.Equal([1L, 16, 1, 1], weights.shape);
        weights.sum().backward();
        Assert.True(single.grad!.abs().sum().item<float>() > 0);
        for (int i = 0; i < buffers.Count; i++) Assert.True(allclose(buffers[i], before[i]));

        attention.call(randn([3, 16, 4, 4], generator: random));
        Assert.Contains(buffers.Zip(before), pair => !allclose(pair.First, pair.Second));
        Assert.All(buffers, b => Assert.True(b.isfinite().all().item<bool>()));
    }
}
