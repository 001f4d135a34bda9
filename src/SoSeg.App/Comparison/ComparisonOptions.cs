using SoSeg.Data.Datasets;
using SoSeg.Evaluation;
using SoSeg.Inference;
using SoSeg.Metrics;
using SoSeg.Training;
using SoSeg.Models.Catalog;

namespace SoSeg.App.Comparison;

/// <summary>What `soseg compare` trains and evaluates: every model x seed on one dataset, the same recipe for all.</summary>
public sealed record ComparisonOptions
{
    public required string Data { get; init; }
    public required IReadOnlyList<string> Models { get; init; }
    public int Seeds { get; init; } = 3;
    public long FirstSeed { get; init; }
    /// <summary>The recipe shared by every model (its Model and Seed are set per run; its ModelOptions apply to every model).</summary>
    public TrainingOptions Training { get; init; } = new();
    /// <summary>Options for one model only (model name -> key -> value), added to the shared ones.</summary>
    public IReadOnlyDictionary<string, Dictionary<string, string>> ModelOptions { get; init; } = new Dictionary<string, Dictionary<string, string>>();

    /// <summary>The recipe of one model: shared options plus its own.</summary>
    public TrainingOptions RecipeFor(string model, long seed)
    {
        var merged = new Dictionary<string, string>(Training.ModelOptions, StringComparer.OrdinalIgnoreCase);
        if (ModelOptions.TryGetValue(model, out var own))
            foreach (var (key, value) in own) merged[key] = value;
        return Training with { Model = model, Seed = seed, ModelOptions = merged, Validation = Prediction };
    }
    public DatasetOptions Dataset { get; init; } = new();
    /// <summary>How validation and the test images predict (window = the training crop unless set).</summary>
    public PredictionOptions Prediction { get; init; } = new();
    public EvaluationOptions Evaluation { get; init; } = new();
    public EvaluationSubset Subset { get; init; } = EvaluationSubset.Test;
    /// <summary>Rows of the Fig. 3-style picture: test images with the smallest objects first.</summary>
    public int FigureImages { get; init; } = 4;

    public void Validate()
    {
        if (Models.Count == 0) throw new ArgumentException("--models needs at least one model.");
        foreach (var model in Models) ModelRegistry.Get(model);
        foreach (var model in ModelOptions.Keys)
            if (!Models.Contains(model, StringComparer.OrdinalIgnoreCase)) throw new ArgumentException($"--model-option names {model}, which is not in --models.");
        if (Models.Distinct(StringComparer.OrdinalIgnoreCase).Count() != Models.Count) throw new ArgumentException("--models lists a model twice.");
        if (Seeds < 1) throw new ArgumentException($"--seeds must be at least 1 (got {Seeds}).");
        if (FigureImages < 0) throw new ArgumentException($"--figure-images cannot be negative (got {FigureImages}).");
        RecipeFor(Models[0], FirstSeed).Validate();
        // Build each model once so an option it does not know fails now, not hours into the comparison.
        foreach (var model in Models)
        {
            var recipe = RecipeFor(model, FirstSeed);
            using var network = ModelRegistry.Create(model, 1, 2, new SoSeg.Models.ModelOptions(recipe.ModelOptions));
        }
    }
}
