using SoSeg.Data.Splits;

namespace SoSeg.Tests.TestData;

/// <summary>
/// splits_final.json with three folds of different sizes over the training cases of a <see cref="TinySpotDataset"/>
/// of nine: validation spot_000 (fold 0), spot_001-002 (fold 1), spot_003-005 (fold 2), so a case count tells the folds apart.
/// </summary>
public static class HandMadeFolds
{
    public static IReadOnlyList<SplitFold> Write(string dataFolder)
    {
        var ids = Enumerable.Range(0, 9).Select(i => $"spot_{i:D3}").ToList();
        SplitFold[] folds =
        [
            new(ids[1..], ids[..1]),
            new(ids[..1].Concat(ids[3..]).ToList(), ids[1..3]),
            new(ids[..3].Concat(ids[6..]).ToList(), ids[3..6]),
        ];
        SplitFile.WriteFolds(Path.Combine(dataFolder, SplitFile.FoldsFileName), folds);
        return folds;
    }
}
