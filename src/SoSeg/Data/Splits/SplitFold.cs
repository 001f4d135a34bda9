namespace SoSeg.Data.Splits;

/// <summary>One train/validation split of case ids, as one entry of nnU-Net's splits_final.json.</summary>
public sealed record SplitFold(IReadOnlyList<string> Train, IReadOnlyList<string> Val);
