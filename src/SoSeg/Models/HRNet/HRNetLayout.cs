namespace SoSeg.Models.HRNet;

/// <summary>
/// Widths and depths of an HRNetV2 (official <c>MODEL.EXTRA</c> config). The defaults are the
/// HRNetV2-W18/W48 segmentation configs: stage 1 has 4 Bottlenecks (64 -> 256); stages 2, 3, 4 have
/// 1, 4, 3 modules of 2, 3, 4 branches with 4 BasicBlocks per branch and widths W, 2W, 4W, 8W.
/// <c>Stage1Blocks = 2, Modules = [1, 3, 2], BlocksPerBranch = 2</c> with W = 18 is HRNetV2-W18-Small-v2.
/// </summary>
/// <param name="Width">W, the width of the highest-resolution branch (18 or 48).</param>
/// <param name="Stage1Blocks">Bottlenecks in stage 1.</param>
/// <param name="Modules">Modules in stages 2, 3 and 4.</param>
/// <param name="BlocksPerBranch">BasicBlocks per branch in every module.</param>
public sealed record HRNetLayout(int Width, int Stage1Blocks = 4, int[]? Modules = null, int BlocksPerBranch = 4)
{
    /// <summary>Modules per stage 2..4 (1, 4, 3 unless given).</summary>
    public IReadOnlyList<int> ModulesPerStage => Modules ?? [1, 4, 3];

    /// <summary>Branch widths W, 2W, 4W, 8W.</summary>
    public long[] BranchWidths => [Width, 2L * Width, 4L * Width, 8L * Width];

    /// <summary>Throws an <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate(string modelName)
    {
        if (Width < 1) throw new ArgumentException($"{modelName}: width must be at least 1, got {Width}.");
        if (Stage1Blocks < 1) throw new ArgumentException($"{modelName}: stage1-blocks must be at least 1, got {Stage1Blocks}.");
        if (BlocksPerBranch < 1) throw new ArgumentException($"{modelName}: blocks must be at least 1, got {BlocksPerBranch}.");
        if (ModulesPerStage.Count != 3 || ModulesPerStage.Any(m => m < 1))
            throw new ArgumentException($"{modelName}: modules must be three counts of at least 1 (stages 2, 3, 4), got {string.Join(",", ModulesPerStage)}.");
    }
}
