namespace SoSeg.Metrics;

/// <summary>
/// Overlap scores of one binary comparison from its pixel counts. NaN marks a score that is undefined and
/// left out of means.
/// </summary>
internal readonly record struct BinaryScores(double Dice, double IoU, double Precision, double Recall, double F2)
{
    public static readonly BinaryScores Undefined = new(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    /// <summary>
    /// Per-image scores (polyp-benchmark protocol): TP = FP = FN = 0 follows <paramref name="emptyCase"/>;
    /// otherwise TP = 0 scores 0 on everything (PraNet's <c>Fmeasure_calu.m</c>); otherwise
    /// Dice = 2TP/(2TP+FP+FN), IoU = TP/(TP+FP+FN), P = TP/(TP+FP), R = TP/(TP+FN), F2 = 5PR/(4P+R).
    /// </summary>
    public static BinaryScores PerImage(long tp, long fp, long fn, EmptyCasePolicy emptyCase)
    {
        if (tp + fp + fn == 0)
            return emptyCase switch
            {
                EmptyCasePolicy.CountAsOne => new(1, 1, 1, 1, 1),
                EmptyCasePolicy.CountAsZero => new(0, 0, 0, 0, 0),
                _ => Undefined,
            };
        if (tp == 0) return new(0, 0, 0, 0, 0);
        double precision = (double)tp / (tp + fp);
        double recall = (double)tp / (tp + fn);
        return new(2.0 * tp / (2 * tp + fp + fn), (double)tp / (tp + fp + fn), precision, recall, FBeta(precision, recall, 2));
    }

    /// <summary>
    /// Dataset-level scores of one class (authors' protocol) from intersection I, predicted P and ground-truth
    /// G pixels: IoU = I/(P+G-I), Dice = 2I/(P+G), Precision = I/P, Recall = I/G, F2 from P and R. Undefined
    /// when the denominator is 0, except precision, which is 0 when the class exists (G > 0) but was never
    /// predicted, as the authors' I/(P+eps) gives.
    /// </summary>
    public static BinaryScores DatasetLevel(long intersection, long predicted, long groundTruth)
    {
        long union = predicted + groundTruth - intersection;
        double iou = union > 0 ? (double)intersection / union : double.NaN;
        double dice = predicted + groundTruth > 0 ? 2.0 * intersection / (predicted + groundTruth) : double.NaN;
        double precision = predicted > 0 ? (double)intersection / predicted : groundTruth > 0 ? 0 : double.NaN;
        double recall = groundTruth > 0 ? (double)intersection / groundTruth : double.NaN;
        return new(Dice: dice, IoU: iou, Precision: precision, Recall: recall, F2: FBeta(precision, recall, 2));
    }

    /// <summary>F-beta = (1 + b²)PR / (b²P + R); 0 when P = R = 0; NaN when either is undefined.</summary>
    public static double FBeta(double precision, double recall, double beta)
    {
        if (double.IsNaN(precision) || double.IsNaN(recall)) return double.NaN;
        double b2 = beta * beta;
        double denominator = b2 * precision + recall;
        return denominator > 0 ? (1 + b2) * precision * recall / denominator : 0;
    }
}
