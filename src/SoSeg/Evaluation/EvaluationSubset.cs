namespace SoSeg.Evaluation;

/// <summary>Which cases of a dataset are evaluated.</summary>
public enum EvaluationSubset
{
    /// <summary>The test set (the layout's own, or the seeded hold-out in test_split.json).</summary>
    Test,
    /// <summary>The validation cases of the training split (splits_final.json, fold given).</summary>
    Val,
    /// <summary>The training cases of the training split.</summary>
    Train,
}
