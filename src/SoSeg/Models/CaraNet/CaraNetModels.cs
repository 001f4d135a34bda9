using SoSeg.Losses;
namespace SoSeg.Models.CaraNet;

/// <summary>Registered CaraNet variants.</summary>
public static class CaraNetModels
{
    /// <summary>The paper this family implements.</summary>
    public const string Paper = "Lou et al., CaraNet: Context Axial Reverse Attention Network for Segmentation of Small Medical Objects, JMI 2023";

    static readonly ModelOption<int> Channels = new("channels", 32, "Width of the reduced features, decoder and refinement branches (multiple of 16).");
    static readonly ModelOption<int> CfpDilation = new("cfp-dilation", 8, "d of the CFP modules: branch dilations 1, d/4+1, d/2+1, d+1.");
    static readonly ModelOption<string> Backbone = new("backbone", "res2net101", "Encoder: res2net101 (official) or res2net50 (Res2Net v1b 26w_4s, trained from scratch).");

    public static IEnumerable<ModelDescriptor> Descriptors()
    {
        yield return new ModelDescriptor(
            "caranet", "CaraNet", Paper,
            "Res2Net-101 v1b, partial decoder, CFP modules and axial reverse attention; 4 deeply supervised maps",
            config => new CaraNetModel(config,
                channels: config.Options.Get(Channels),
                cfpDilation: config.Options.Get(CfpDilation),
                backbone: config.Options.Get(Backbone)),
            [Channels.Info, CfpDilation.Info, Backbone.Info],
            // Structure loss on all four maps, summed with equal weights (official Train.py).
            PaperLoss: _ => new StructureLoss());
    }
}
