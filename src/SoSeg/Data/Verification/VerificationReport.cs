namespace SoSeg.Data.Verification;

/// <summary>The outcome of <see cref="DatasetVerifier.Verify"/>.</summary>
/// <param name="Root">The dataset folder.</param>
/// <param name="Layout">Its layout.</param>
/// <param name="Cases">Cases checked.</param>
/// <param name="Files">Image, channel and mask files checked.</param>
/// <param name="Decoded">Cases decoded now; the others were unchanged since a cached check (same sizes and modification times).</param>
/// <param name="Problems">Every problem found, by file.</param>
public sealed record VerificationReport(string Root, string Layout, int Cases, int Files, int Decoded, IReadOnlyList<DatasetProblem> Problems)
{
    public bool Ok => Problems.Count == 0;

    /// <summary>Cases whose earlier result was reused from the cache.</summary>
    public int FromCache => Cases - Decoded;

    /// <summary>One line: cases, files and where the result came from.</summary>
    public string Summary =>
        $"{Root} ({Layout} layout): {Cases} case(s), {Files} file(s) checked ({Decoded} case(s) decoded, {FromCache} unchanged since the last check): " +
        (Ok ? "no problems." : $"{Problems.Count} problem(s).");
}
