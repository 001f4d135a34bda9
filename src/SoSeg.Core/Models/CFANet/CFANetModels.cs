namespace SoSeg.Models.CFANet;

/// <summary>Registered CFANet variants.</summary>
public static class CFANetModels
{
    /// <summary>The paper this family implements.</summary>
    public const string Paper = "Zhou et al., Cross-level Feature Aggregation Network for Polyp Segmentation, Pattern Recognition 2023";

    public static IEnumerable<ModelDescriptor> Descriptors()
    {
        yield return new ModelDescriptor(
            "cfanet", "CFANet", Paper,
            "Res2Net-50 v1b, boundary stream with edge map, cross-level feature fusion and boundary aggregation; 3 maps + edge",
            config => new CFANetModel(config,
                channels: config.Options.GetInt("channels", 64),
                backbone: config.Options.GetString("backbone", "res2net50")),
            [
                new ModelOptionInfo("channels", "64", "Width of the fused and boundary features (even, at least 16)."),
                new ModelOptionInfo("backbone", "res2net50", "Encoder: res2net50 (official) or res2net101 (Res2Net v1b 26w_4s, trained from scratch)."),
            ]);
    }
}
