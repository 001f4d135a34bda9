using TorchSharp.Modules;

namespace SoSeg.Training.Optimization;

/// <summary>
/// What the training loop needs from an optimizer: clear the gradients, take a step at a learning rate,
/// and the TorchSharp optimizer whose state a checkpoint saves and restores.
/// </summary>
public interface ITrainingOptimizer : IDisposable
{
    /// <summary>Learning rate of every parameter group for the next <see cref="Step"/>.</summary>
    double LearningRate { set; }

    /// <summary>Sets all gradients to zero (in place, as TorchSharp's optimizers do).</summary>
    void ZeroGrad();

    /// <summary>One update from the gradients the last backward pass left.</summary>
    void Step();

    /// <summary>The state a checkpoint saves (TorchSharp's AdamW format, whichever implementation runs the step).</summary>
    OptimizerHelper State { get; }
}

/// <summary>Optimizer implementations selectable by name (`adamw`: one buffer, the default; `adamw-per-tensor`: TorchSharp's own).</summary>
public static class TrainingOptimizers
{
    public const string FlatAdamW = "adamw";
    public const string PerTensorAdamW = "adamw-per-tensor";
    public static readonly IReadOnlyList<string> Names = [FlatAdamW, PerTensorAdamW];

    /// <summary>An AdamW over <paramref name="parameters"/> (create it after the model moved to its device).</summary>
    public static ITrainingOptimizer AdamW(string name, IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double weightDecay) => name switch
    {
        FlatAdamW => new FlatAdamW(parameters, lr, beta1, beta2, weightDecay),
        PerTensorAdamW => new PerTensorAdamW(parameters, lr, beta1, beta2, weightDecay),
        _ => throw SettingError.Invalid("Optimizer", $"must be {string.Join(" or ", Names)} (got '{name}')."),
    };
}

/// <summary>TorchSharp's AdamW as it is: one set of kernels per parameter tensor.</summary>
public sealed class PerTensorAdamW(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double weightDecay) : ITrainingOptimizer
{
    readonly AdamW _adamW = TorchSharp.torch.optim.AdamW(parameters, lr: lr, beta1: beta1, beta2: beta2, weight_decay: weightDecay);

    public double LearningRate { set { foreach (var group in _adamW.ParamGroups) group.LearningRate = value; } }
    public void ZeroGrad() => _adamW.zero_grad();
    public void Step() => _adamW.step();
    public OptimizerHelper State => _adamW;
    public void Dispose() => _adamW.Dispose();
}
