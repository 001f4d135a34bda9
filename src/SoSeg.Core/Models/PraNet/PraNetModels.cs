namespace SoSeg.Models.PraNet;

/// <summary>Registered PraNet variants.</summary>
public static class PraNetModels
{
    /// <summary>The paper this family implements.</summary>
    public const string Paper = "Fan et al., PraNet: Parallel Reverse Attention Network for Polyp Segmentation, MICCAI 2020";

    public static IEnumerable<ModelDescriptor> Descriptors()
    {
        yield return new ModelDescriptor(
            "pranet", "PraNet", Paper,
            "Res2Net-50 v1b, RFB, partial decoder and three reverse-attention refinements; 4 deeply supervised maps",
            config => new PraNetModel(config,
                channels: config.Options.GetInt("channels", 32),
                backbone: config.Options.GetString("backbone", "res2net50")),
            [
                new ModelOptionInfo("channels", "32", "Width of the receptive field blocks and the partial decoder."),
                new ModelOptionInfo("backbone", "res2net50", "Encoder: res2net50 (official) or res2net101 (Res2Net v1b 26w_4s, trained from scratch)."),
            ]);
    }
}
