namespace SoSeg.Models;

/// <summary>The model families that ship with SoSeg: one line each. Adding a family = its folder + one line here.</summary>
internal static class BuiltInModels
{
    public static IEnumerable<ModelDescriptor> Descriptors()
    {
        return
        [
            .. SoSegFormer.SoSegFormerModels.Descriptors(),
            .. PraNet.PraNetModels.Descriptors(),
            .. CaraNet.CaraNetModels.Descriptors(),
            .. CFANet.CFANetModels.Descriptors(),
        ];
    }
}
