using SoSeg.Losses;

namespace SoSeg.Models.HRNet;

/// <summary>Registration of the HRNetV2 baselines (W18 and W48).</summary>
public static class HRNetModels
{
    const string Paper = "Wang, Sun, Cheng, et al. Deep High-Resolution Representation Learning for Visual Recognition. TPAMI 2020 (HRNetV2)";

    static readonly ModelOption<bool> Loss = new("loss", false, "own loss: ce (cross-entropy, the official default) or ohem (OHEM cross-entropy, LOSS.USE_OHEM)",
        ModelOptionTypes.Choice(("ce", false), ("ohem", true)));
    static readonly ModelOption<double> OhemThreshold = new("ohem-threshold", OhemCrossEntropyLoss.DefaultThreshold, "OHEM: pixels whose true-class probability is below this are kept (LOSS.OHEMTHRES)");
    static readonly ModelOption<int> OhemMinKept = new("ohem-min-kept", OhemCrossEntropyLoss.DefaultMinKept, "OHEM: at least this many pixels per batch are kept (LOSS.OHEMKEEP)");
    static readonly ModelOption<HRNetInit> Init = new("init", HRNetInit.Official, "weights: official (conv N(0, 0.001), as seg_hrnet.init_weights) or pytorch (layer defaults)",
        ModelOptionTypes.Choice(("official", HRNetInit.Official), ("pytorch", HRNetInit.PyTorch)));
    static readonly ModelOption<int> Stage1Blocks = new("stage1-blocks", 4, "Bottlenecks in stage 1 (2 for W18-Small-v2)");
    static readonly ModelOption<int[]> Modules = new("modules", [1, 4, 3], "modules in stages 2, 3, 4 (1,3,2 for W18-Small-v2)");
    static readonly ModelOption<int> Blocks = new("blocks", 4, "BasicBlocks per branch (2 for W18-Small-v2)");

    /// <summary>Option keys and defaults (shared by both widths).</summary>
    public static readonly IReadOnlyList<ModelOptionInfo> Options =
        [Loss.Info, OhemThreshold.Info, OhemMinKept.Info, Init.Info, Stage1Blocks.Info, Modules.Info, Blocks.Info];

    /// <summary>The <c>hrnet-w18</c> and <c>hrnet-w48</c> models.</summary>
    public static IEnumerable<ModelDescriptor> Descriptors()
    {
        yield return Descriptor("hrnet-w18", 18, "9.64 M");
        yield return Descriptor("hrnet-w48", 48, "65.85 M");
    }

    static ModelDescriptor Descriptor(string name, int width, string parameters) => new(
        name, "HRNet", Paper,
        $"HRNetV2-W{width} as HRNet-Semantic-Segmentation: 4 parallel resolutions with repeated fusion, concat head at 1/4 ({parameters} params); own loss CE (OHEM optional)",
        config => Create(name, width, config),
        Options,
        PaperLoss);

    static HRNet Create(string name, int width, ModelConfig config)
    {
        var options = config.Options;
        var layout = new HRNetLayout(width,
            Stage1Blocks: options.Get(Stage1Blocks),
            Modules: options.Get(Modules),
            BlocksPerBranch: options.Get(Blocks));
        PaperLoss(options); // the loss options belong to the model's registration: checked (and counted as read) here
        return new HRNet(name, config, layout, options.Get(Init));
    }

    /// <summary>Cross-entropy (null) unless OHEM was chosen, as HRNet's <c>LOSS.USE_OHEM</c>.</summary>
    static ISegmentationLoss? PaperLoss(ModelOptions options)
    {
        bool ohem = options.Get(Loss);
        double threshold = options.Get(OhemThreshold);
        int minKept = options.Get(OhemMinKept);
        return ohem ? new OhemCrossEntropyLoss(threshold, minKept) : null;
    }
}
