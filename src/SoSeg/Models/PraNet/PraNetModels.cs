using SoSeg.Losses;
namespace SoSeg.Models.PraNet;

/// <summary>Registered PraNet variants.</summary>
public static class PraNetModels
{
    /// <summary>The paper this family implements.</summary>
    public const string Paper = "Fan et al., PraNet: Parallel Reverse Attention Network for Polyp Segmentation, MICCAI 2020";

    static readonly ModelOption<int> Channels = new("channels", 32, "Width of the receptive field blocks and the partial decoder.");
    static readonly ModelOption<string> Backbone = new("backbone", "res2net50", "Encoder: res2net50 (official) or res2net101 (Res2Net v1b 26w_4s, trained from scratch).");

    public static IEnumerable<ModelDescriptor> Descriptors()
    {
        yield return new ModelDescriptor(
            "pranet", "PraNet", Paper,
            "Res2Net-50 v1b, RFB, partial decoder and three reverse-attention refinements; 4 deeply supervised maps",
            config => new PraNetModel(config, channels: config.Options.Get(Channels), backbone: config.Options.Get(Backbone)),
            [Channels.Info, Backbone.Info],
            // Deep supervision of all four maps with the structure loss, summed with equal weights (official MyTrain.py).
            PaperLoss: _ => new StructureLoss());
    }
}
