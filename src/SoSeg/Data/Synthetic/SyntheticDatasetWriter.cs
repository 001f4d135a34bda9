using SoSeg.Data.Images;
using SoSeg.Runtime;
using SoSeg.Monitoring;

namespace SoSeg.Data.Synthetic;

/// <summary>
/// Writes rendered 2-D cases in SoSeg's layout (see <see cref="DatasetManifest"/>): the first 80% of the
/// cases go to imagesTr/labelsTr, the rest to imagesTs/labelsTs, every file written atomically, and
/// dataset.json last, so an interrupted run leaves no manifest that promises missing files.
/// </summary>
internal static class SyntheticDatasetWriter
{
    /// <summary>Share of the cases that go to the test split.</summary>
    public const double TestFraction = 0.2;

    /// <summary>Test cases for a dataset of <paramref name="count"/> cases (20%, rounded; at least one training case).</summary>
    public static int TestCount(int count) =>
        Math.Min(Math.Max(count - 1, 0), (int)Math.Round(count * TestFraction, MidpointRounding.AwayFromZero));

    /// <summary>Case identifier: prefix and a zero-padded index (at least 4 digits), e.g. "sperm_0042".</summary>
    public static string CaseId(string prefix, int index, int count) =>
        $"{prefix}_{index.ToString($"D{Math.Max(4, (count - 1).ToString().Length)}")}";

    /// <summary>
    /// The seed of one case: a SplitMix64 mix of the dataset seed and the case index, so neighbouring
    /// dataset seeds do not share shifted cases and each case renders the same on its own.
    /// </summary>
    public static int CaseSeed(int seed, int index)
    {
        ulong z = ((ulong)(uint)seed << 32) | (uint)index;
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    /// <summary>
    /// Renders and writes <paramref name="count"/> cases in parallel (each case has its own seeded
    /// random source, so the bytes do not depend on scheduling), then dataset.json with the split counts.
    /// </summary>
    /// <param name="outputFolder">Dataset folder (created if missing).</param>
    /// <param name="count">Cases to write.</param>
    /// <param name="seed">Dataset seed; case i renders from <see cref="CaseSeed"/>(seed, i).</param>
    /// <param name="casePrefix">Start of every case identifier.</param>
    /// <param name="manifest">Name, modality, channels and labels; the counts and file ending are filled in here.</param>
    /// <param name="render">Renders a case from its case seed.</param>
    /// <param name="progress">Advanced once per written case (thread-safe here).</param>
    public static void Write(string outputFolder, int count, int seed, string casePrefix, DatasetManifest manifest,
                             Func<int, SyntheticCase> render, IProgressTask? progress)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputFolder);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "The number of cases must be at least 1.");
        WriteCases(outputFolder, count, manifest, ".png", (index, training) =>
        {
            var frame = render(CaseSeed(seed, index));
            if (frame.Mask.Length != frame.PixelCount)
                throw new InvalidOperationException($"Case {index}: the mask has {frame.Mask.Length} values for {frame.Width}x{frame.Height} pixels.");
            string id = CaseId(casePrefix, index, count);
            string image = Path.Combine(outputFolder, training ? "imagesTr" : "imagesTs", $"{id}_0000.png");
            switch (frame.Channels)
            {
                case 1: ImageWriter.WriteGrey(image, frame.Image, frame.Height, frame.Width); break;
                case 3: ImageWriter.WriteRgb(image, frame.Image, frame.Height, frame.Width); break;
                default: throw new ArgumentException($"PNG encoding takes 1 or 3 channels, not {frame.Channels}.");
            }
            ImageWriter.WriteMask(Path.Combine(outputFolder, training ? "labelsTr" : "labelsTs", $"{id}.png"), frame.Mask, frame.Height, frame.Width);
        }, progress);
    }

    /// <summary>
    /// The split and write order every synthetic dataset shares: the first cases (all but <see cref="TestCount"/>)
    /// are training cases, <paramref name="writeCase"/>(index, training) runs in parallel and writes one case's files
    /// atomically, and dataset.json, with the split counts and <paramref name="fileEnding"/>, comes last.
    /// </summary>
    /// <param name="emptyTestFolders">Create imagesTs/ and labelsTs/ even without test cases (the ATLAS layout takes an imagesTs/ folder as its test set, so the liver writes none).</param>
    public static void WriteCases(string outputFolder, int count, DatasetManifest manifest, string fileEnding,
                                  Action<int, bool> writeCase, IProgressTask? progress, bool emptyTestFolders = true)
    {
        int testCount = TestCount(count);
        int trainCount = count - testCount;
        string[] folders = testCount > 0 || emptyTestFolders ? ["imagesTr", "labelsTr", "imagesTs", "labelsTs"] : ["imagesTr", "labelsTr"];
        foreach (string folder in folders)
            Directory.CreateDirectory(Path.Combine(outputFolder, folder));

        var progressLock = new object();
        ParallelLoops.Run(() => Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, index =>
        {
            writeCase(index, index < trainCount);
            if (progress is not null) lock (progressLock) progress.Advance();
        }));

        (manifest with { NumTraining = trainCount, NumTest = testCount, FileEnding = fileEnding })
            .Write(Path.Combine(outputFolder, DatasetManifest.FileName));
    }
}
