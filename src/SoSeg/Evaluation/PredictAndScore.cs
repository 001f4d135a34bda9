using SoSeg.Data;
using SoSeg.Inference;
using SoSeg.Metrics;
using SoSeg.Monitoring;

namespace SoSeg.Evaluation;

/// <summary>
/// The one load -> predict -> score loop: validation after an epoch, `soseg evaluate` and the comparison's test
/// scores all run through it, so they cannot drift apart.
/// </summary>
public static class PredictAndScore
{
    /// <summary>Predicts every case with <paramref name="predictor"/> and scores it against its mask.</summary>
    /// <param name="load">Reads a case (image and mask).</param>
    /// <param name="noMask">The error for a case without a mask (after the image's path).</param>
    /// <param name="withProbabilities">Also hand the class probabilities to the evaluator (for the metrics that read them).</param>
    /// <param name="onPrediction">Sees each case's prediction (overlays, written masks).</param>
    public static EvaluationReport Run<TCase>(IEnumerable<TCase> cases, Func<TCase, SegmentationSample> load, SegmentationPredictor predictor,
        SegmentationEvaluator evaluator, Func<TCase, string> noMask, bool withProbabilities = true,
        Action<TCase, SegmentationSample, Prediction>? onPrediction = null, IProgressTask? progress = null)
    {
        foreach (var item in cases)
        {
            var sample = load(item);
            if (sample.Mask is null) throw new SoSegException($"{sample.Origin.ImagePath}: {noMask(item)}");
            var result = predictor.Predict(sample);
            if (withProbabilities) evaluator.Add(sample, result.ClassMap, result.Probabilities);
            else evaluator.Add(sample, result.ClassMap);
            onPrediction?.Invoke(item, sample, result);
            progress?.Advance();
        }
        progress?.Complete();
        return evaluator.Compute();
    }
}
