using System.CommandLine;
using SoSeg.Inference;

namespace SoSeg.Cli;

/// <summary>--tta, --window and --overlap of `predict` and `evaluate`; defaults from <see cref="PredictionOptions"/>.</summary>
public sealed class PredictionWindowOptions
{
    readonly Option<bool> _tta;
    readonly Option<int?> _window;
    readonly Option<double> _overlap = new("--overlap") { Description = "Sliding-window overlap.", DefaultValueFactory = _ => new PredictionOptions().Overlap };

    public PredictionWindowOptions(string ttaDescription, string windowDescription)
    {
        _tta = new("--tta") { Description = ttaDescription };
        _window = new("--window") { Description = windowDescription };
    }

    /// <summary>Adds --tta, --window and --overlap to a command, in that order.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_tta);
        command.Options.Add(_window);
        command.Options.Add(_overlap);
    }

    /// <summary>
    /// The prediction settings asked for; the window defaults to the checkpoint's training crop. Refuses a window
    /// whose memory estimate for <paramref name="model"/> exceeds what <paramref name="device"/> has available.
    /// </summary>
    /// <param name="model">The TorchSharp model, whose activations give the window's memory estimate; null for ONNX Runtime (no estimate).</param>
    public PredictionOptions Read(ParseResult parse, int trainingCrop, Models.SegmentationModel? model, string modelName, TorchSharp.torch.Device device)
    {
        var options = new PredictionOptions
        {
            WindowSize = parse.GetValue(_window) ?? trainingCrop,
            Overlap = parse.GetValue(_overlap),
            FlipTta = parse.GetValue(_tta),
        };
        options.Validate();
        if (model is not null)
            Models.Analysis.ActivationProfile.Of(model, modelName).Prediction(options.WindowSize).EnsureFits($"--window {options.WindowSize}", device);
        return options;
    }
}
