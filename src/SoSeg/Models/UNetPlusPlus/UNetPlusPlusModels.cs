using SoSeg.Losses;
namespace SoSeg.Models.UNetPlusPlus;

/// <summary>Registration of the U-Net++ baseline.</summary>
public static class UNetPlusPlusModels
{
    static readonly ModelOption<int> BaseWidth = new("base-width", 32, "filters of level 0, doubled per level (32..512)");
    static readonly ModelOption<bool> DeepSupervision = new("deep-supervision", true, "four 1x1 heads on X^{0,1..4}, returned as side outputs and trained by the own loss");
    static readonly ModelOption<DeepSupervisionInference> Inference = new("inference", DeepSupervisionInference.Mean, "main prediction with deep supervision: mean (accurate mode: average of the heads' probabilities) or last (fast mode: head on X^{0,4})",
        ModelOptionTypes.Choice(("mean", DeepSupervisionInference.Mean), ("last", DeepSupervisionInference.Last)));
    static readonly ModelOption<double> Dropout = new("dropout", 0.5, "dropout after every 3x3 convolution, as the official Keras unit");
    static readonly ModelOption<bool> BatchNorm = new("batch-norm", false, "BatchNorm after every 3x3 convolution (not in the official unit)");

    /// <summary>Option keys and defaults.</summary>
    public static readonly IReadOnlyList<ModelOptionInfo> Options = [BaseWidth.Info, DeepSupervision.Info, Inference.Info, Dropout.Info, BatchNorm.Info];

    /// <summary>The <c>unetpp</c> model.</summary>
    public static IEnumerable<ModelDescriptor> Descriptors()
    {
        yield return new ModelDescriptor(
            "unetpp", "U-Net++",
            "Zhou, Rahman Siddiquee, Tajbakhsh, Liang. UNet++: A Nested U-Net Architecture for Medical Image Segmentation. DLMIA/ML-CDS (MICCAI workshops) 2018",
            "U-Net++ as the official Keras code: nested dense skips, filters 32..512, dropout 0.5, deep supervision with 4 heads; own loss 0.5*BCE + (1 - Dice) per head",
            config => new UNetPlusPlus(config,
                baseWidth: config.Options.Get(BaseWidth),
                deepSupervision: config.Options.Get(DeepSupervision),
                inference: config.Options.Get(Inference),
                dropout: config.Options.Get(Dropout),
                batchNorm: config.Options.Get(BatchNorm)),
            Options,
            // 0.5 * BCE + (1 - Dice) on each deep-supervision head, summed.
            PaperLoss: _ => new BceDiceLoss());
    }
}
