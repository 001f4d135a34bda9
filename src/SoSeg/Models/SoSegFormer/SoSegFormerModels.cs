namespace SoSeg.Models.SoSegFormer;

/// <summary>The registered SoSegFormer variants: one architecture, two sets of defaults.</summary>
public static class SoSegFormerModels
{
    const string Paper = "Dai et al., SoSegFormer: a cross-scale feature correlated network for small medical object segmentation";

    /// <summary>Paper scale: ResNet-50 encoder widths and depths, 512-channel ASPP.</summary>
    public static SoSegFormerOptions PaperScale { get; } = new();

    /// <summary>
    /// A few million parameters for CPU training, tests and the demo: 1/8 of the paper's widths, one
    /// bottleneck per encoder layer, 64-channel ASPP.
    /// </summary>
    public static SoSegFormerOptions Small { get; } = new()
    {
        StemWidth = 16,
        Widths = [8, 16, 32, 64],
        Depths = [1, 1, 1, 1],
        Heads = [1, 1, 2, 4],
        AsppChannels = 64,
    };

    public static IEnumerable<ModelDescriptor> Descriptors()
    {
        yield return Describe("sosegformer", PaperScale,
            "Paper-scale SoSegFormer: ResNet-50-like encoder, StageFormer branches with cross-scale instruction, UpLink decoder, ASPP.");
        yield return Describe("sosegformer-s", Small,
            "Small SoSegFormer (same architecture, 1/8 widths, depth 1 per layer) for CPU training, tests and demos.");
    }

    static ModelDescriptor Describe(string name, SoSegFormerOptions defaults, string summary) => new(
        name, "SoSegFormer", Paper, summary,
        config => new SoSegFormerModel(name, config, defaults.Read(config.Options)),
        defaults.Describe());
}
