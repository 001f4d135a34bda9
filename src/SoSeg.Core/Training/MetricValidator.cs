using SoSeg.Inference;
using SoSeg.Metrics;
using SoSeg.Models;
using SoSeg.Terminal;
using static TorchSharp.torch;

namespace SoSeg.Training;

/// <summary>
/// Validates like `soseg evaluate` does: whole images through <see cref="SegmentationPredictor"/> (sliding
/// window at the training crop), scored with <see cref="SegmentationEvaluator"/>. `best` is chosen by the
/// paper's mDice (authors' dataset-level protocol, all images).
/// </summary>
public sealed class MetricValidator(Device device, PredictionOptions prediction) : IValidator
{
    public string ScoreName => "mDice";

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
        var report = evaluator.Compute();
        var all = report.Stratum(SizeStrata.Names[SizeStrata.All]);
        var ultraSmall = report.Stratum(SizeStrata.Names[SizeStrata.UltraSmall]);
        var metrics = new Dictionary<string, double>
        {
            ["mDice"] = all.Dataset.Weighted.Dice ?? 0,
            ["mIoU"] = all.Dataset.Weighted.IoU ?? 0,
            ["fg_dice"] = all.Dataset.Foreground.Dice ?? 0,
            ["fg_dice_per_image"] = all.PerImage.Foreground.Dice ?? 0,
        };
        if (ultraSmall.ImagesWithObjects > 0) metrics["mDice_ultra_small"] = ultraSmall.Dataset.Weighted.Dice ?? 0;
        if (report.Objects.Bins.FirstOrDefault(b => b.Name == SizeStrata.Names[SizeStrata.All]) is { Overall.Recall: { } recall })
            metrics["object_recall"] = recall;
        return metrics;
    }
}
