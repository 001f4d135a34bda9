namespace SoSeg.Models;

/// <summary>One option a model reads, for <c>soseg models</c> and the docs.</summary>
public sealed record ModelOptionInfo(string Key, string Default, string Description);

/// <summary>A registered model: its name, the paper it implements, how to build it and the loss its paper trains it with.</summary>
/// <param name="PaperLoss">The loss the model's own paper trains it with, from the model's options; null (or a null
/// result) when that loss is cross-entropy.</param>
public sealed record ModelDescriptor(
    string Name,
    string Family,
    string Paper,
    string Summary,
    Func<ModelConfig, SegmentationModel> Factory,
    IReadOnlyList<ModelOptionInfo>? Options = null,
    Func<ModelOptions, ISegmentationLoss?>? PaperLoss = null)
{
    public IReadOnlyList<ModelOptionInfo> OptionList => Options ?? [];

    /// <summary>The paper's loss for these options, or null for cross-entropy.</summary>
    public ISegmentationLoss? PaperLossFor(ModelOptions options) => PaperLoss?.Invoke(options);
}
