using SoSeg.Checkpoints;
using SoSeg.Models;
using SoSeg.Training.Optimization;
using static TorchSharp.torch;

namespace SoSeg.Training;

/// <summary>
/// Watches a training run: checkpoints, metrics.csv, TensorBoard, curves, log lines and early stopping are
/// callbacks, not code in the loop. Every hook has an empty default; a callback overrides what it needs.
/// </summary>
public interface ITrainingCallback
{
    /// <summary>Before the first epoch (of this process: a resumed run starts after its last finished epoch).</summary>
    void OnTrainingStart(TrainingContext context) { }

    /// <summary>After every optimizer step.</summary>
    void OnStep(TrainingContext context, TrainingStep step) { }

    /// <summary>After every finished epoch, validated or not; may ask the run to stop (<see cref="TrainingContext.RequestStop"/>).</summary>
    void OnEpochEnd(TrainingContext context, EpochOutcome outcome) { }
}

/// <summary>One optimizer step: 0-based global step, its loss and learning rate.</summary>
public sealed record TrainingStep(int Epoch, long GlobalStep, float Loss, double LearningRate);

/// <summary>
/// A finished epoch: its record (with validation metrics when it was validated), the selection score, whether it
/// became the new best and whether it was eligible to (an epoch predicting no foreground on data that has some never is).
/// </summary>
public sealed record EpochOutcome(EpochRecord Record, double? Score, bool Improved)
{
    public int Epoch => Record.Epoch;
    public bool Validated => Score is not null;
}

/// <summary>Where a run starts: after <see cref="Epoch"/> finished epochs, with their records and the best so far.</summary>
public sealed record TrainingStart(int Epoch, IReadOnlyList<EpochRecord> Records, double? BestScore, int? BestEpoch)
{
    public static TrainingStart Fresh { get; } = new(0, [], null, null);
}

/// <summary>What callbacks see of a run, and how they stop it.</summary>
public sealed class TrainingContext
{
    public required SegmentationModel Model { get; init; }
    public required ITrainingOptimizer Optimizer { get; init; }
    public required ISegmentationLoss Loss { get; init; }
    public required TrainingData Data { get; init; }
    public required Device Device { get; init; }
    public required int Epochs { get; init; }
    public required int StepsPerEpoch { get; init; }
    public required int BatchSize { get; init; }
    /// <summary>Name of the validation metric the best epoch is chosen by (e.g. "mDice").</summary>
    public required string ScoreName { get; init; }
    /// <summary>Where this process started (a resumed run: after its last finished epoch).</summary>
    public required TrainingStart Start { get; init; }
    /// <summary>Every finished epoch so far, the restored ones included.</summary>
    public List<EpochRecord> Records { get; } = [];
    public double? BestScore { get; internal set; }
    public int? BestEpoch { get; internal set; }

    /// <summary>Why a callback asked the run to stop after this epoch, or null.</summary>
    public string? StopReason { get; private set; }

    /// <summary>Ends the run after the current epoch's callbacks (early stopping).</summary>
    public void RequestStop(string reason) => StopReason ??= reason;
}
