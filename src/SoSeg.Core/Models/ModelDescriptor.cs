namespace SoSeg.Models;

/// <summary>One option a model reads, for <c>soseg models</c> and the docs.</summary>
public sealed record ModelOptionInfo(string Key, string Default, string Description);

/// <summary>A registered model: its name, the paper it implements and how to build it.</summary>
public sealed record ModelDescriptor(
    string Name,
    string Family,
    string Paper,
    string Summary,
    Func<ModelConfig, SegmentationModel> Factory,
    IReadOnlyList<ModelOptionInfo>? Options = null)
{
    public IReadOnlyList<ModelOptionInfo> OptionList => Options ?? [];
}
