namespace SoSeg.Models.CaraNet;

/// <summary>Registered CaraNet variants.</summary>
public static class CaraNetModels
{
    /// <summary>The paper this family implements.</summary>
    public const string Paper = "Lou et al., CaraNet: Context Axial Reverse Attention Network for Segmentation of Small Medical Objects, JMI 2023";

    public static IEnumerable<ModelDescriptor> Descriptors()
    {
        yield return new ModelDescriptor(
            "caranet", "CaraNet", Paper,
            "Res2Net-101 v1b, partial decoder, CFP modules and axial reverse attention; 4 deeply supervised maps",
            config => new CaraNetModel(config,
                channels: config.Options.GetInt("channels", 32),
                cfpDilation: config.Options.GetInt("cfp-dilation", 8),
                backbone: config.Options.GetString("backbone", "res2net101")),
            [
                new ModelOptionInfo("channels", "32", "Width of the reduced features, decoder and refinement branches (multiple of 16)."),
                new ModelOptionInfo("cfp-dilation", "8", "d of the CFP modules: branch dilations 1, d/4+1, d/2+1, d+1."),
                new ModelOptionInfo("backbone", "res2net101", "Encoder: res2net101 (official) or res2net50 (Res2Net v1b 26w_4s, trained from scratch)."),
            ]);
    }
}
