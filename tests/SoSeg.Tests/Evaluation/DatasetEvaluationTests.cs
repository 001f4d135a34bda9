using SoSeg.Data.Datasets;
using SoSeg.Data.Images;
using SoSeg.Evaluation;
using SoSeg.Metrics;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Evaluation;

public class DatasetEvaluationTests
{
    [Fact]
    public void Masks_from_another_tool_equal_to_the_truth_score_100_percent()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 2, test: 3);
        string predictions = Path.Combine(folder.Path, "predictions");
        Directory.CreateDirectory(predictions);
        foreach (var label in Directory.GetFiles(Path.Combine(data, "labelsTs")))
            File.Copy(label, Path.Combine(predictions, Path.GetFileName(label)));

        var dataset = SegmentationDataset.Open(data);
        var items = DatasetEvaluation.SelectItems(dataset, EvaluationSubset.Test);
        Assert.Equal(3, items.Count);
        var report = DatasetEvaluation.EvaluatePredictions(dataset, items, predictions, new EvaluationOptions());
        var all = report.Stratum("all");
        Assert.Equal(3, all.ImageCount);
        Assert.Equal(1.0, all.Dataset.Weighted.Dice!.Value, 10);
        Assert.Equal(1.0, all.PerImage.Foreground.Dice!.Value, 10);
        Assert.Equal(0.0, all.Dataset.Mae!.Value, 10);
        Assert.Equal(3, report.Objects.Bins.Single(b => b.Name == "all").Overall.Found);
    }

    [Fact]
    public void Missing_or_mis_sized_predictions_name_the_case_and_file()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 2, test: 2);
        string predictions = Path.Combine(folder.Path, "predictions");
        Directory.CreateDirectory(predictions);
        var dataset = SegmentationDataset.Open(data);
        var items = DatasetEvaluation.SelectItems(dataset, EvaluationSubset.Test);

        var missing = Assert.Throws<SoSegException>(() => DatasetEvaluation.EvaluatePredictions(dataset, items, predictions, new EvaluationOptions()));
        Assert.Contains(items[0].Case.Id, missing.Message);

        foreach (var item in items) ImageWriter.WriteMask(Path.Combine(predictions, item.Case.Id + ".png"), new byte[10 * 12], 10, 12);
        var size = Assert.Throws<SoSegException>(() => DatasetEvaluation.EvaluatePredictions(dataset, items, predictions, new EvaluationOptions()));
        Assert.Contains("12 x 10", size.Message);

        foreach (var item in items) ImageWriter.WriteMask(Path.Combine(predictions, item.Case.Id + ".png"), Enumerable.Repeat((byte)7, 40 * 40).ToArray(), 40, 40);
        var values = Assert.Throws<SoSegException>(() => DatasetEvaluation.EvaluatePredictions(dataset, items, predictions, new EvaluationOptions()));
        Assert.Contains(".png", values.Message);
    }
}
