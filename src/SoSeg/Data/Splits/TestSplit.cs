namespace SoSeg.Data.Splits;

/// <summary>The seeded train/test hold-out of a layout that has no test set (test_split.json).</summary>
/// <param name="Train">Case ids kept for training (and validation).</param>
/// <param name="Test">Case ids held out for testing.</param>
/// <param name="Seed">Seed that made it.</param>
/// <param name="Fraction">Fraction held out.</param>
public sealed record TestSplit(IReadOnlyList<string> Train, IReadOnlyList<string> Test, int Seed, double Fraction);
