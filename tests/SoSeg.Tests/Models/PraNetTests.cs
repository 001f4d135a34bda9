using SoSeg.Tests.TestData;
using SoSeg.Models;
using SoSeg.Models.PraNet;
using SoSeg.Runtime;
using SoSeg.Losses;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models;

public class PraNetTests
{
    [Fact]
    public void Parameter_count_matches_the_official_model()
    {
        using var model = ModelRegistry.Create("pranet", 3, 2);
        long count = model.ParameterCount();
        Assert.Equal(30_499_830, count);
        // Official: 30.50 M without the unused Res2Net fc (32.55 M with it).
        Assert.InRange(count, 30.50e6 * 0.98, 30.50e6 * 1.02);
        // Reconstructing the official count: 2-channel maps cost 1,511 more than the official 1-channel
        // maps (decoder 1x1 97, S_5 head 258, S_4 and S_3 heads 578 each); the fc adds 2,049,000.
        Assert.InRange(count - 1_511 + 2_049_000, 32.545e6, 32.555e6);
    }

    [Fact]
    public void Returns_K_class_logits_and_three_side_outputs_at_the_input_size()
    {
        using var random = new Generator(3);
        using var scope = NewDisposeScope();
        using var model = Seeded.Build(3, () => ModelRegistry.Create("pranet", 1, 3));
        model.train();
        var output = model.ForwardWithSideOutputs(randn([2, 1, 48, 64], generator: random));
        Assert.Equal([2L, 3, 48, 64], output.Logits.shape);
        Assert.Equal(3, output.SideOutputs.Count);
        Assert.All(output.SideOutputs, s => Assert.Equal([2L, 3, 48, 64], s.shape));
        Assert.Null(output.Edge);
        Assert.Equal(32, model.SizeDivisor);
    }

    [Fact]
    public void Own_loss_is_the_structure_loss_summed_over_all_four_maps()
    {
        using var random = new Generator(4);
        using var scope = NewDisposeScope();
        using var model = Seeded.Build(4, () => ModelRegistry.Create("pranet", 3, 2));
        model.train();
        var output = model.ForwardWithSideOutputs(randn([1, 3, 64, 64], generator: random));
        var target = randint(0, 2, [1, 64, 64], dtype: ScalarType.Int64, generator: random);
        var loss = Assert.IsType<StructureLoss>(ModelRegistry.PaperLoss("pranet"));
        Assert.False(loss.WeightedBce);
        float expected = loss.ComputeMap(output.Logits, target).item<float>()
                         + output.SideOutputs.Sum(s => loss.ComputeMap(s, target).item<float>());
        Assert.Equal(expected, loss.Compute(output, target).item<float>(), 3);
    }

    [Fact]
    public void Is_registered_with_its_paper_and_options()
    {
        var descriptor = ModelRegistry.Get("pranet");
        Assert.Contains("MICCAI 2020", descriptor.Paper);
        Assert.Equal(["channels", "backbone"], descriptor.OptionList.Select(o => o.Key));
        Assert.Throws<ArgumentException>(() => ModelRegistry.Create("pranet", 3, 2, ModelOptions.Parse(["chanels=16"])));
        Assert.Throws<ArgumentException>(() => ModelRegistry.Create("pranet", 3, 2, ModelOptions.Parse(["backbone=vgg"])));
    }
}
