using SoSeg.Inference;
using SoSeg.Metrics;
using SoSeg.Models;
using SoSeg.Monitoring;
using static TorchSharp.torch;

namespace SoSeg.Training;

/// <summary>
/// Validates like `soseg evaluate` does: whole images through <see cref="SegmentationPredictor"/> (sliding
/// window at the training crop), scored with <see cref="SegmentationEvaluator"/>. `best` is chosen by the
/// score <paramref name="selectBy"/> names (<see cref="SelectionScore"/>); the authors' mDice is always recorded.
/// </summary>
public sealed class MetricValidator(Device device, PredictionOptions prediction, string selectBy = SelectionScore.Default) : IValidator
{
    public string ScoreName { get; } = SelectionScore.MetricOf(selectBy);

    public IReadOnlyDictionary<string, double> Validate(SegmentationModel model, TrainingData data, IProgressTask? progress)
    {
        var predictor = new SegmentationPredictor(model, device, prediction);
        var evaluator = new SegmentationEvaluator(data.ClassNames);
        foreach (var id in data.ValidationIds)
        {
            var sample = data.Load(id);
            if (sample.Mask is null) throw new SoSegException($"{sample.Origin.ImagePath}: validation case {id} has no mask.");
            var result = predictor.Predict(sample);
            evaluator.Add(sample, result.ClassMap);
            progress?.Advance();
        }
        progress?.Complete();
        return SelectionScore.Metrics(evaluator.Compute());
    }
}
