namespace SoSeg.Data.Datasets;

/// <summary>One training/validation split of a dataset's training cases, read from or written to splits_final.json.</summary>
/// <param name="Index">Fold number (0-based).</param>
/// <param name="Count">Folds in the splits file.</param>
/// <param name="Train">Cases to train on.</param>
/// <param name="Validation">Cases to validate on (never slices of a training volume).</param>
/// <param name="SplitsPath">The splits_final.json used.</param>
public sealed record DatasetFold(int Index, int Count, IReadOnlyList<DatasetCase> Train, IReadOnlyList<DatasetCase> Validation, string SplitsPath);
