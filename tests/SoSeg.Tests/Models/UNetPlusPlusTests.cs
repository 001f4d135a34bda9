using SoSeg.Tests.TestData;
using SoSeg.Models;
using SoSeg.Models.UNetPlusPlus;
using SoSeg.Losses;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models;

public class UNetPlusPlusTests
{
    // Official Keras helper_functions.py: "Standard UNet++ ... Total params: 9,041,601" (1 input channel,
    // 1 class, one head on X^{0,4}).
    const double Official = 9_041_601;

    [Fact]
    public void Parameter_count_matches_the_official_keras_model()
    {
        using var model = ModelRegistry.Create("unetpp", 3, 2);
        // Official 9,041,601 + 2 more input channels (2 * 32 * 9 = 576) + 4 two-class heads instead of
        // one 1-class head (4 * 66 - 33 = 231) = 9,042,408.
        Assert.Equal(9_042_408, model.ParameterCount());
        Assert.InRange(model.ParameterCount(), Official * 0.98, Official * 1.02);
        Assert.Equal(16, model.SizeDivisor);

        using var single = ModelRegistry.Create("unetpp", 1, 2, ModelOptions.Parse(["deep-supervision=false"]));
        Assert.Equal(9_041_601 + 33, single.ParameterCount()); // one extra 1x1 filter + bias for the second class

        using var normalised = ModelRegistry.Create("unetpp", 3, 2, ModelOptions.Parse(["batch-norm=true"]));
        // Each of the 15 units loses 2 conv biases (2C) and gains 2 BN affine pairs (4C): +2C per unit.
        long unitWidths = (32 + 64 + 128 + 256 + 512) + (32 + 64 + 128 + 256) + (32 + 64 + 128) + (32 + 64) + 32;
        Assert.Equal(9_042_408 + 2 * unitWidths, normalised.ParameterCount());
    }

    [Fact]
    public void Deep_supervision_returns_four_heads_and_their_mean_probability()
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(3);
        using var model = Seeded.Build(3, () => ModelRegistry.Create("unetpp", 3, 3, ModelOptions.Parse(["base-width=4"])));
        model.eval();
        var input = randn([2, 3, 48, 40], generator: random);
        var output = model.ForwardWithSideOutputs(input);
        Assert.Equal(4, output.SideOutputs.Count);
        Assert.All(output.SideOutputs, s => Assert.Equal([2L, 3, 48, 40], s.shape));
        var meanProbability = stack(output.SideOutputs.Select(s => s.softmax(1)), 0).mean([0]);
        Assert.True(output.Logits.softmax(1).allclose(meanProbability, rtol: 1e-5, atol: 1e-6));
        Assert.True(model.call(input).allclose(output.Logits));
    }

    [Fact]
    public void Fast_mode_uses_the_last_head()
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(4);
        using var model = Seeded.Build(4, () => ModelRegistry.Create("unetpp", 1, 2, ModelOptions.Parse(["base-width=4", "inference=last"])));
        model.eval();
        var output = model.ForwardWithSideOutputs(randn([1, 1, 32, 32], generator: random));
        Assert.Equal(4, output.SideOutputs.Count);
        Assert.True(output.Logits.allclose(output.SideOutputs[3]));
    }

    [Fact]
    public void Every_parameter_gets_a_gradient_and_the_own_loss_is_bce_dice()
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(5);
        using var model = Seeded.Build(5, () => ModelRegistry.Create("unetpp", 3, 2, ModelOptions.Parse(["base-width=4", "batch-norm=true", "dropout=0"])));
        var input = randn([2, 3, 32, 32], generator: random);
        var target = randint(0, 2, [2, 32, 32], dtype: ScalarType.Int64, generator: random);
        var loss = Assert.IsType<BceDiceLoss>(ModelRegistry.PaperLoss("unetpp")).Compute(model.ForwardWithSideOutputs(input), target);
        loss.backward();
        GradientChecks.AssertEveryParameterLearns(model);
    }

    [Fact]
    public void Convolutions_start_he_normal_with_distinct_filters()
    {
        using var scope = NewDisposeScope();
        using var model = ModelRegistry.Create("unetpp", 3, 2);
        var weight = model.state_dict()["nodes.x0_4.conv1.weight"]; // 32 x 160 x 3 x 3, fan_in 1440
        // Keras he_normal (truncated at 2 sigma): std sqrt(2 / 1440) * 0.8796.
        // 46,080 weights: the standard error of the std is ~1.1e-4; allow about 5 of them.
        Assert.Equal(Math.Sqrt(2.0 / 1440) * 0.8796, weight.std().item<float>(), 0.0006);
        var head = model.state_dict()["heads.0.weight"];
        Assert.False(head[0].allclose(head[1]), "the two class filters of a head must differ");
    }

    [Fact]
    public void Own_loss_decreases_on_a_toy_task()
    {
        using var model = ModelRegistry.Create("unetpp", 1, 2, ModelOptions.Parse(["base-width=4", "dropout=0"]));
        var losses = ToyTraining.LossCurve(model, 20, 3e-3, loss: ModelRegistry.PaperLoss("unetpp"));
        Assert.True(losses[^1] < 0.8 * losses[0], string.Join(" ", losses));
    }

    [Fact]
    public void Converts_to_another_dtype()
    {
        using var scope = NewDisposeScope();
        using var model = ModelRegistry.Create("unetpp", 1, 2, ModelOptions.Parse(["base-width=2"]));
        model.to(ScalarType.Float64);
        model.eval();
        var output = model.ForwardWithSideOutputs(randn(1, 1, 16, 16, dtype: ScalarType.Float64));
        Assert.Equal(ScalarType.Float64, output.Logits.dtype);
        Assert.All(output.SideOutputs, s => Assert.Equal(ScalarType.Float64, s.dtype));
    }

    [Fact]
    public void Nodes_are_named_after_the_paper()
    {
        using var model = ModelRegistry.Create("unetpp", 3, 2, ModelOptions.Parse(["base-width=2"]));
        var keys = model.state_dict().Keys.ToHashSet();
        Assert.Contains("nodes.x0_4.conv1.weight", keys);
        Assert.Contains("nodes.x3_1.conv2.bias", keys);
        Assert.Contains("upsamplers.x0_1.weight", keys);
        Assert.Contains("heads.3.weight", keys);
        Assert.DoesNotContain("nodes.x1_4.conv1.weight", keys);
        Assert.Throws<ArgumentException>(() => ModelRegistry.Create("unetpp", 3, 2, ModelOptions.Parse(["inference=avg"])));
    }
}
