using SoSeg.Models;
using SoSeg.Losses;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Losses;

/// <summary>
/// The losses for class imbalance on one 1 x 3 image (plus one ignored pixel with extreme logits). Foreground
/// probabilities p1 = 3/4, 1/4, 1/2 (logits [0, ln 3], [ln 3, 0], [0, 0]); targets 1, 0, 1.
/// </summary>
public class ImbalanceLossTests
{
    static readonly double Ln3 = Math.Log(3), Ln43 = Math.Log(4.0 / 3), Ln2 = Math.Log(2);

    static (SegmentationOutput Output, Tensor Target) Case(bool withIgnored = true)
    {
        double[] background = [0, Ln3, 0, 30], foreground = [Ln3, 0, 0, -30];
        int width = withIgnored ? 4 : 3;
        var logits = tensor(background[..width].Concat(foreground[..width]).ToArray()).reshape(1, 2, 1, width);
        var target = tensor(new long[] { 1, 0, 1, 255 }[..width]).reshape(1, 1, width);
        return (new SegmentationOutput(logits), target);
    }

    static double Loss(ISegmentationLoss loss, bool withIgnored = true)
    {
        using var scope = NewDisposeScope();
        var (output, target) = Case(withIgnored);
        return loss.Compute(output, target).item<double>();
    }

    static readonly double CrossEntropy = (2 * Ln43 + Ln2) / 3;

    [Fact]
    public void Dice_ce_is_mean_cross_entropy_plus_one_minus_the_batch_foreground_dice()
    {
        // Dice: 2 * (3/4 + 1/2) / ((3/4 + 1/4 + 1/2) + 2) = 2.5 / 3.5.
        Assert.Equal(CrossEntropy + 1 - (2.5 + 1e-5) / (3.5 + 1e-5), Loss(new DiceCrossEntropyLoss()), 9);
    }

    [Fact]
    public void Dice_ce_pools_the_dice_over_the_batch_not_per_image()
    {
        using var scope = NewDisposeScope();
        // Image 1: p1 = 1/2 on an object pixel; image 2: p1 = 1/2 on a background pixel (no object).
        var logits = tensor(new double[] { 0, 0, 0, 0 }).reshape(2, 2, 1, 1);
        var target = tensor(new long[] { 1, 0 }).reshape(2, 1, 1);
        // Batch Dice: 2 * 0.5 / (1 + 1) = 0.5; per image it would be mean(1/1.5, ~0) = 1/3.
        double expected = Ln2 + 1 - (1 + 1e-5) / (2 + 1e-5);
        Assert.Equal(expected, new DiceCrossEntropyLoss().Compute(new SegmentationOutput(logits), target).item<double>(), 9);
    }

    [Fact]
    public void Focal_weighs_each_pixel_by_one_minus_p_true_squared()
    {
        double expected = (2 * 0.25 * 0.25 * Ln43 + 0.5 * 0.5 * Ln2) / 3;
        Assert.Equal(expected, Loss(new FocalLoss()), 9);
        Assert.Equal(CrossEntropy, Loss(new FocalLoss(gamma: 0)), 9); // gamma 0 is cross-entropy
    }

    [Fact]
    public void Tversky_and_focal_tversky_count_misses_above_false_alarms()
    {
        // TP = 3/4 + 1/2, FP = 1/4, FN = 1/4 + 1/2.
        double index = (1.25 + 1e-5) / (1.25 + 0.3 * 0.25 + 0.7 * 0.75 + 1e-5);
        Assert.Equal(1 - index, Loss(new TverskyLoss()), 9);
        Assert.Equal(Math.Pow(1 - index, 0.75), Loss(new TverskyLoss(gamma: 4.0 / 3)), 9);
        // With alpha = beta = 0.5 Tversky is soft Dice.
        Assert.Equal(1 - (2.5 + 2e-5) / (3.5 + 2e-5), Loss(new TverskyLoss(alpha: 0.5, beta: 0.5)), 4);
    }

    [Fact]
    public void Weighted_ce_is_the_mean_over_classes_of_each_class_mean()
    {
        // Background: one pixel (ln 4/3); foreground: two (ln 4/3, ln 2).
        Assert.Equal((Ln43 + (Ln43 + Ln2) / 2) / 2, Loss(new ClassBalancedCrossEntropyLoss()), 9);
    }

    [Theory]
    [InlineData("dice-ce")]
    [InlineData("focal")]
    [InlineData("tversky")]
    [InlineData("focal-tversky")]
    [InlineData("weighted-ce")]
    public void Ignored_pixels_count_nowhere_and_gradients_reach_the_logits(string name)
    {
        var loss = LossRegistry.Create(name, ModelRegistry.PaperLoss("unet", ModelOptions.Parse(["base-width=4"])));
        Assert.Equal(Loss(loss, withIgnored: false), Loss(loss, withIgnored: true), 9);

        using var scope = NewDisposeScope();
        var (output, target) = Case();
        var logits = output.Logits.requires_grad_(true);
        loss.Compute(new SegmentationOutput(logits), target).backward();
        var gradient = logits.grad!;
        Assert.True(gradient[.., .., .., ..3].abs().sum().item<double>() > 0);
        Assert.Equal(0, gradient[.., .., .., 3].abs().sum().item<double>());
    }

    [Fact]
    public void Deep_supervision_weighs_side_outputs_by_halves_normalised()
    {
        using var scope = NewDisposeScope();
        var (output, target) = Case();
        var main = zeros(1, 2, 1, 4, dtype: ScalarType.Float64); // cross-entropy ln 2
        var deep = new DeepSupervisionLoss(new CrossEntropyLoss());
        Assert.True(deep.UsesSideOutputs);
        Assert.Equal(2.0 / 3 * Ln2 + 1.0 / 3 * CrossEntropy, deep.Compute(new SegmentationOutput(main, [output.Logits]), target).item<double>(), 9);
        Assert.Equal(Ln2, deep.Compute(new SegmentationOutput(main), target).item<double>(), 9);
    }

    [Fact]
    public void The_registry_names_every_loss_and_refuses_unknown_ones()
    {
        var unet = ModelRegistry.PaperLoss("unet", ModelOptions.Parse(["base-width=4"]));
        Assert.IsType<CrossEntropyLoss>(LossRegistry.Create("ce", unet));
        Assert.IsType<CrossEntropyDiceLoss>(LossRegistry.Create("model", unet));
        Assert.Equal("focal-tversky+ds", LossRegistry.Create("focal-tversky+ds", unet).Name);
        var pranet = ModelRegistry.PaperLoss("pranet", ModelOptions.Parse([]));
        // The structure loss supervises PraNet's side outputs already: +ds adds nothing on top.
        Assert.IsType<StructureLoss>(LossRegistry.Create("model+ds", pranet));
        var error = Assert.Throws<ArgumentException>(() => LossRegistry.Create("dice", unet));
        Assert.Contains("--loss", SoSeg.Cli.SettingFlags.Describe(error)); // as the command line words it
        Assert.Throws<ArgumentException>(() => { new SoSeg.Training.TrainingOptions { Loss = "lovasz" }.Validate(); });
    }
}
