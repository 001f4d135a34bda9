using SoSeg.Monitoring;

namespace SoSeg.Data.Synthetic;

/// <summary>
/// Writes a synthetic dataset in SoSeg's layout (dataset.json, imagesTr/, labelsTr/, imagesTs/,
/// labelsTs/) where every object is known ground truth. `soseg generate KIND` picks one by <see cref="Kind"/>.
/// </summary>
public interface ISyntheticDatasetGenerator
{
    /// <summary>The KIND argument of `soseg generate`: "sperm", "polyp", "liver".</summary>
    string Kind { get; }

    /// <summary>One line for --help.</summary>
    string Description { get; }

    /// <summary>Writes <paramref name="count"/> cases (80% train, 20% test) to <paramref name="outputFolder"/>; same seed, same bytes.</summary>
    void Generate(string outputFolder, int count, int seed, IProgressTask? progress = null);
}
