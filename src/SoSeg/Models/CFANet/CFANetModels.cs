using SoSeg.Losses;
namespace SoSeg.Models.CFANet;

/// <summary>Registered CFANet variants.</summary>
public static class CFANetModels
{
    /// <summary>The paper this family implements.</summary>
    public const string Paper = "Zhou et al., Cross-level Feature Aggregation Network for Polyp Segmentation, Pattern Recognition 2023";

    static readonly ModelOption<int> Channels = new("channels", 64, "Width of the fused and boundary features (even, at least 16).");
    static readonly ModelOption<string> Backbone = new("backbone", "res2net50", "Encoder: res2net50 (official) or res2net101 (Res2Net v1b 26w_4s, trained from scratch).");

    public static IEnumerable<ModelDescriptor> Descriptors()
    {
        yield return new ModelDescriptor(
            "cfanet", "CFANet", Paper,
            "Res2Net-50 v1b, boundary stream with edge map, cross-level feature fusion and boundary aggregation; 3 maps + edge",
            config => new CFANetModel(config, channels: config.Options.Get(Channels), backbone: config.Options.Get(Backbone)),
            [Channels.Info, Backbone.Info],
            // Edge BCE + structure loss (boundary-weighted BCE) on the three maps, all weight 1 (CFANet's released training code).
            PaperLoss: _ => new EdgeStructureLoss(new StructureLoss(weightedBce: true)));
    }
}
