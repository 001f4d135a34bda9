using SoSeg.Models;
using SoSeg.Monitoring;

namespace SoSeg.Training;

/// <summary>Scores a model on the validation cases after an epoch; the trainer keeps `best` by <see cref="ScoreName"/>.</summary>
public interface IValidator
{
    /// <summary>Name of the metric `best` is chosen by (higher is better), e.g. "mDice".</summary>
    string ScoreName { get; }

    /// <summary>Metrics by name (must contain <see cref="ScoreName"/>), for metrics.csv and TensorBoard.</summary>
    IReadOnlyDictionary<string, double> Validate(SegmentationModel model, TrainingData data, IProgressTask? progress);
}
