namespace SoSeg.Models;

/// <summary>The model families that ship with SoSeg: one line each. Adding a family = its folder + one line here.</summary>
internal static class BuiltInModels
{
    public static IEnumerable<ModelDescriptor> Descriptors()
    {
        // Order is the paper's Tables II/III order (SoSegFormer joins at the end).
        return
        [
            .. UNet.UNetModels.Descriptors(),
            .. UNetPlusPlus.UNetPlusPlusModels.Descriptors(),
            .. PraNet.PraNetModels.Descriptors(),
            .. HRNet.HRNetModels.Descriptors(),
            .. CaraNet.CaraNetModels.Descriptors(),
            .. CFANet.CFANetModels.Descriptors(),
        ];
    }
}
