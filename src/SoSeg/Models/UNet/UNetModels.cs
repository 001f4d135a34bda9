using SoSeg.Losses;
namespace SoSeg.Models.UNet;

/// <summary>Registration of the U-Net baseline.</summary>
public static class UNetModels
{
    static readonly ModelOption<int> BaseWidth = new("base-width", 64, "channels of the first level, doubled at each of the 4 downsamplings (64..1024)");
    static readonly ModelOption<bool> Bilinear = new("bilinear", false, "bilinear upsampling + halved bottleneck (17.26 M params) instead of 2x2 transposed convolutions (31.04 M)");

    /// <summary>Option keys and defaults.</summary>
    public static readonly IReadOnlyList<ModelOptionInfo> Options = [BaseWidth.Info, Bilinear.Info];

    /// <summary>The <c>unet</c> model.</summary>
    public static IEnumerable<ModelDescriptor> Descriptors()
    {
        yield return new ModelDescriptor(
            "unet", "U-Net",
            "Ronneberger, Fischer, Brox. U-Net: Convolutional Networks for Biomedical Image Segmentation. MICCAI 2015",
            "U-Net as milesial/Pytorch-UNet: padded 3x3 conv-BN-ReLU pairs 64..1024, 2x2 transposed-conv decoder, 1x1 head; own loss CE + Dice",
            config => new UNet(config, baseWidth: config.Options.Get(BaseWidth), bilinear: config.Options.Get(Bilinear)),
            Options,
            // milesial/Pytorch-UNet's training loss: cross-entropy + soft Dice.
            PaperLoss: _ => new CrossEntropyDiceLoss());
    }
}
