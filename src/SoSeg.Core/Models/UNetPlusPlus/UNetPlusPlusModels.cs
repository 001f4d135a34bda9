namespace SoSeg.Models.UNetPlusPlus;

/// <summary>Registration of the U-Net++ baseline.</summary>
public static class UNetPlusPlusModels
{
    /// <summary>Option keys and defaults.</summary>
    public static readonly IReadOnlyList<ModelOptionInfo> Options =
    [
        new("base-width", "32", "filters of level 0, doubled per level (32..512)"),
        new("deep-supervision", "true", "four 1x1 heads on X^{0,1..4}, returned as side outputs and trained by the own loss"),
        new("inference", "mean", "main prediction with deep supervision: mean (accurate mode: average of the heads' probabilities) or last (fast mode: head on X^{0,4})"),
        new("dropout", "0.5", "dropout after every 3x3 convolution, as the official Keras unit"),
        new("batch-norm", "false", "BatchNorm after every 3x3 convolution (not in the official unit)"),
    ];

    /// <summary>The <c>unetpp</c> model.</summary>
    public static IEnumerable<ModelDescriptor> Descriptors()
    {
        yield return new ModelDescriptor(
            "unetpp", "U-Net++",
            "Zhou, Rahman Siddiquee, Tajbakhsh, Liang. UNet++: A Nested U-Net Architecture for Medical Image Segmentation. DLMIA/ML-CDS (MICCAI workshops) 2018",
            "U-Net++ as the official Keras code: nested dense skips, filters 32..512, dropout 0.5, deep supervision with 4 heads; own loss 0.5*BCE + (1 - Dice) per head",
            config => new UNetPlusPlus(config,
                baseWidth: config.Options.GetInt("base-width", 32),
                deepSupervision: config.Options.GetBool("deep-supervision", true),
                inference: ParseInference(config.Options.GetString("inference", "mean")),
                dropout: config.Options.GetDouble("dropout", 0.5),
                batchNorm: config.Options.GetBool("batch-norm", false)),
            Options);
    }

    static DeepSupervisionInference ParseInference(string text) => text.ToLowerInvariant() switch
    {
        "mean" => DeepSupervisionInference.Mean,
        "last" => DeepSupervisionInference.Last,
        _ => throw new ArgumentException($"Model option inference={text}: expected 'mean' or 'last'."),
    };
}
