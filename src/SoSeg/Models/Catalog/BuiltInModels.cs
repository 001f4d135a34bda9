using SoSeg.Models;
namespace SoSeg.Models.Catalog;

/// <summary>The model families that ship with SoSeg: one line each. Adding a family = its folder + one line here.</summary>
internal static class BuiltInModels
{
    public static IEnumerable<ModelDescriptor> Descriptors()
    {
        // SoSegFormer first, then the baselines in the order of the paper's Tables II/III.
        return
        [
            .. SoSegFormer.SoSegFormerModels.Descriptors(),
            .. UNet.UNetModels.Descriptors(),
            .. UNetPlusPlus.UNetPlusPlusModels.Descriptors(),
            .. PraNet.PraNetModels.Descriptors(),
            .. HRNet.HRNetModels.Descriptors(),
            .. CaraNet.CaraNetModels.Descriptors(),
            .. CFANet.CFANetModels.Descriptors(),
        ];
    }
}
