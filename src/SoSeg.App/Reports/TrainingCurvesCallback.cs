using SoSeg.Training;

namespace SoSeg.App.Reports;

/// <summary>Redraws training-curves.png after every epoch (and when a resumed run starts, from the rows it restored).</summary>
public sealed class TrainingCurvesCallback(string path) : ITrainingCallback
{
    public void OnTrainingStart(TrainingContext context)
    {
        if (context.Start.Epoch > 0) TrainingCurves.Write(path, context.Records, context.ScoreName);
    }

    public void OnEpochEnd(TrainingContext context, EpochOutcome outcome) => TrainingCurves.Write(path, context.Records, context.ScoreName);
}
