using SoSeg.IO;
using SoSeg.Training;
using SoSeg.Checkpoints;

namespace SoSeg.App.Reports;

/// <summary>training-curves.png: training loss and the validation score per epoch (ScottPlot).</summary>
public static class TrainingCurves
{
    public static void Write(string path, IReadOnlyList<EpochRecord> records, string scoreName, int width = 900, int height = 420)
    {
        if (records.Count == 0) return;
        var plot = new ScottPlot.Plot();
        double[] epochs = records.Select(r => (double)r.Epoch).ToArray();
        var lossLine = plot.Add.Scatter(epochs, records.Select(r => r.TrainLoss).ToArray());
        lossLine.LegendText = "training loss";
        plot.Axes.Left.Label.Text = "training loss";
        plot.Axes.Bottom.Label.Text = "epoch";

        var validated = records.Where(r => r.Validation.ContainsKey(scoreName)).ToList();
        if (validated.Count > 0)
        {
            var scoreAxis = plot.Axes.Right;
            var scoreLine = plot.Add.Scatter(validated.Select(r => (double)r.Epoch).ToArray(),
                                             validated.Select(r => r.Validation[scoreName] * 100).ToArray());
            scoreLine.Axes.YAxis = scoreAxis;
            scoreLine.LegendText = $"validation {scoreName} (%)";
            scoreAxis.Label.Text = $"validation {scoreName} (%)";
        }
        plot.Title($"Training curves ({records.Count} epochs)");
        plot.ShowLegend(ScottPlot.Alignment.UpperCenter);
        AtomicFile.WriteVia(path, temp => plot.SavePng(temp, width, height));
    }
}
