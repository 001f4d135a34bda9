using SoSeg.Tests.TestData;
using SoSeg.Models;
using SoSeg.Losses;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models;

public class UNetTests
{
    // milesial/Pytorch-UNet README / ARCHITECTURES.md: 31.04 M (transposed), 17.26 M (bilinear).
    const double OfficialTransposed = 31.04e6;
    const double OfficialBilinear = 17.26e6;

    [Fact]
    public void Parameter_count_matches_the_reference()
    {
        using var model = ModelRegistry.Create("unet", 3, 2);
        // 31,043,521 for milesial's 1-class head; 2 classes add one 64-wide 1x1 filter + bias (65).
        Assert.Equal(31_043_586, model.ParameterCount());
        Assert.InRange(model.ParameterCount(), OfficialTransposed * 0.98, OfficialTransposed * 1.02);
        Assert.Equal(16, model.SizeDivisor);
    }

    [Fact]
    public void Bilinear_variant_matches_the_reference()
    {
        using var model = ModelRegistry.Create("unet", 3, 2, ModelOptions.Parse(["bilinear=true"]));
        Assert.Equal(17_267_458, model.ParameterCount());
        Assert.InRange(model.ParameterCount(), OfficialBilinear * 0.98, OfficialBilinear * 1.02);
    }

    [Fact]
    public void Small_variant_returns_logits_at_any_input_size_and_trains_every_parameter()
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(1);
        using var model = Seeded.Build(1, () => ModelRegistry.Create("unet", 1, 3, ModelOptions.Parse(["base-width=4"])));
        var input = randn([2, 1, 40, 56], generator: random);
        var output = model.ForwardWithSideOutputs(input);
        Assert.Equal([2L, 3, 40, 56], output.Logits.shape);
        Assert.Empty(output.SideOutputs);
        output.Logits.sum().backward();
        GradientChecks.AssertEveryParameterLearns(model);
    }

    [Fact]
    public void Own_loss_is_cross_entropy_plus_dice()
    {
        using var model = ModelRegistry.Create("unet", 3, 2, ModelOptions.Parse(["base-width=2"]));
        Assert.IsType<CrossEntropyDiceLoss>(ModelRegistry.PaperLoss("unet"));
    }

    [Fact]
    public void Own_loss_decreases_on_a_toy_task()
    {
        using var model = ModelRegistry.Create("unet", 1, 2, ModelOptions.Parse(["base-width=4"]));
        var losses = ToyTraining.LossCurve(model, 20, 3e-3, loss: ModelRegistry.PaperLoss("unet"));
        Assert.True(losses[^1] < 0.85 * losses[0], string.Join(" ", losses));
    }

    [Fact]
    public void Bad_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ModelRegistry.Create("unet", 3, 2, ModelOptions.Parse(["base-width=1"])));
        Assert.Throws<ArgumentException>(() => ModelRegistry.Create("unet", 3, 2, ModelOptions.Parse(["widht=8"])));
    }
}
