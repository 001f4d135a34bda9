using SoSeg.Tests.TestData;
using SoSeg.Models;
using SoSeg.Models.HRNet;
using SoSeg.Losses;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models;

public class HRNetTests
{
    // HRNet-Semantic-Segmentation README: HRNetV2-W48 65.85 M, HRNetV2-W18 9.64 M (Cityscapes, 19 classes).
    const double OfficialW18 = 9.64e6;
    const double OfficialW48 = 65.85e6;

    [Fact]
    public void W18_parameter_count_matches_the_reference()
    {
        using var model = ModelRegistry.Create("hrnet-w18", 3, 2);
        Assert.Equal(9_636_512, model.ParameterCount());
        Assert.InRange(model.ParameterCount(), OfficialW18 * 0.98, OfficialW18 * 1.02);
        Assert.Equal(32, model.SizeDivisor);
        // With the reference's 19 Cityscapes classes the head adds 17 * (270 + 1) = 4,607: 9,641,119 = 9.64 M.
        using var cityscapes = ModelRegistry.Create("hrnet-w18", 3, 19);
        Assert.Equal(9_641_119, cityscapes.ParameterCount());
    }

    [Fact]
    public void W48_parameter_count_matches_the_reference_and_it_runs()
    {
        using var scope = NewDisposeScope();
        using var model = ModelRegistry.Create("hrnet-w48", 3, 2);
        Assert.Equal(65_847_122, model.ParameterCount());
        Assert.InRange(model.ParameterCount(), OfficialW48 * 0.98, OfficialW48 * 1.02);
        model.eval();
        using var _ = no_grad();
        var logits = model.call(randn(1, 3, 64, 64));
        Assert.Equal([1L, 2, 64, 64], logits.shape);
        Assert.False(logits.isnan().any().item<bool>());
    }

    [Fact]
    public void Small_v2_layout_matches_its_reference_count()
    {
        // HRNetV2-W18-Small-v2 (3.93 M in ARCHITECTURES.md); 3,939,579 with 19 classes.
        using var model = ModelRegistry.Create("hrnet-w18", 3, 19,
            ModelOptions.Parse(["stage1-blocks=2", "modules=1,3,2", "blocks=2"]));
        Assert.Equal(3_939_579, model.ParameterCount());
    }

    [Fact]
    public void Stages_have_the_expected_widths_and_resolutions()
    {
        using var scope = NewDisposeScope();
        using var model = (HRNet)ModelRegistry.Create("hrnet-w18", 3, 2);
        model.eval();
        using var _ = no_grad();
        var stages = model.StageOutputs(randn(1, 3, 64, 96));
        Assert.Equal(4, stages.Count);
        Assert.Equal([1L, 256, 16, 24], Assert.Single(stages[0]).shape);
        long[] widths = [18, 36, 72, 144];
        for (int stage = 1; stage < 4; stage++)
        {
            Assert.Equal(stage + 1, stages[stage].Length);
            for (int branch = 0; branch <= stage; branch++)
                Assert.Equal([1L, widths[branch], 16 >> branch, 24 >> branch], stages[stage][branch].shape);
        }
    }

    [Fact]
    public void Tiny_layout_trains_every_parameter_at_an_odd_size()
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(2);
        using var model = Seeded.Build(2, () => ModelRegistry.Create("hrnet-w18", 1, 3,
            ModelOptions.Parse(["stage1-blocks=1", "modules=1,1,1", "blocks=1", "init=pytorch"])));
        var output = model.ForwardWithSideOutputs(randn([2, 1, 50, 70], generator: random));
        Assert.Equal([2L, 3, 50, 70], output.Logits.shape);
        output.Logits.sum().backward();
        GradientChecks.AssertEveryParameterLearns(model);
    }

    [Fact]
    public void Official_init_draws_small_conv_weights()
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(6);
        using var model = Seeded.Build(6, () => ModelRegistry.Create("hrnet-w18", 3, 2, ModelOptions.Parse(["stage1-blocks=1", "modules=1,1,1", "blocks=1"])));
        var stemWeight = model.state_dict()["stem.0.conv.weight"];
        double std = stemWeight.std().item<float>();
        Assert.InRange(std, 0.0007, 0.0013);
    }

    [Fact]
    public void Loss_decreases_on_a_toy_task()
    {
        using var model = ModelRegistry.Create("hrnet-w18", 1, 2, ModelOptions.Parse(["stage1-blocks=1", "modules=1,1,1", "blocks=1"]));
        var losses = ToyTraining.LossCurve(model, 20, 1e-3, loss: ModelRegistry.PaperLoss("hrnet-w18"));
        Assert.True(losses[^1] < 0.5 * losses[0], string.Join(" ", losses));
    }

    [Fact]
    public void Own_loss_is_cross_entropy_or_ohem()
    {
        var plain = ModelRegistry.PaperLoss("hrnet-w18", ModelOptions.Parse(["stage1-blocks=1", "modules=1,1,1", "blocks=1"]));
        Assert.Null(plain);
        var ohem = ModelRegistry.PaperLoss("hrnet-w18",
            ModelOptions.Parse(["stage1-blocks=1", "modules=1,1,1", "blocks=1", "loss=ohem", "ohem-threshold=0.7", "ohem-min-kept=5000"]));
        var loss = Assert.IsType<OhemCrossEntropyLoss>(ohem);
        Assert.Equal(0.7, loss.Threshold);
        Assert.Equal(5000, loss.MinKept);
        Assert.Throws<ArgumentException>(() => ModelRegistry.Create("hrnet-w18", 3, 2, ModelOptions.Parse(["loss=dice"])));
        Assert.Throws<ArgumentException>(() => ModelRegistry.Create("hrnet-w18", 3, 2, ModelOptions.Parse(["modules=1,4"])));
    }
}
