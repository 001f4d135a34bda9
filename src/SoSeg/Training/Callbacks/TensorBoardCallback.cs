using SoSeg.Training.Optimization;
using TorchSharp;

namespace SoSeg.Training.Callbacks;

/// <summary>TensorBoard event files: training loss and learning rate per step, memory every 50 steps, validation metrics per epoch.</summary>
public sealed class TensorBoardCallback(string folder) : ITrainingCallback
{
    TorchSharp.Modules.SummaryWriter? _writer;

    public void OnTrainingStart(TrainingContext context) => _writer = torch.utils.tensorboard.SummaryWriter(folder);

    public void OnStep(TrainingContext context, TrainingStep step)
    {
        if (_writer is null) return;
        _writer.add_scalar("train/loss", step.Loss, (int)step.GlobalStep);
        _writer.add_scalar("train/lr", (float)step.LearningRate, (int)step.GlobalStep);
        if (step.GlobalStep % 50 == 0) _writer.add_scalar("system/rss_mb", (float)ProcessMemory.ResidentMegabytes(), (int)step.GlobalStep);
    }

    public void OnEpochEnd(TrainingContext context, EpochOutcome outcome)
    {
        if (_writer is null) return;
        foreach (var (name, value) in outcome.Record.Validation) _writer.add_scalar($"val/{name}", (float)value, outcome.Epoch);
    }
}
