namespace SoSeg.Inference;

/// <summary>How a trained model is run on whole images (nnU-Net / MONAI conventions).</summary>
public sealed record PredictionOptions
{
    /// <summary>Images larger than this (either side) are predicted in overlapping windows of this size (the training crop).</summary>
    public int WindowSize { get; init; } = 512;
    /// <summary>Overlap of neighbouring windows as a fraction of the window (0.5 = step of half a window).</summary>
    public double Overlap { get; init; } = 0.5;
    /// <summary>Weight window predictions by a Gaussian centred on the window, so window borders count less.</summary>
    public bool GaussianBlending { get; init; } = true;
    /// <summary>Test-time augmentation: also predict the horizontally flipped image and average.</summary>
    public bool FlipTta { get; init; }
    /// <summary>Windows run through the network together.</summary>
    public int WindowBatch { get; init; } = 4;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the setting (<paramref name="windowSetting"/> for the window) out of range.</summary>
    public void Validate(string windowSetting = nameof(WindowSize))
    {
        if (WindowSize < 16) throw SettingError.Invalid(windowSetting, $"must be at least 16 (got {WindowSize}).");
        if (!(Overlap >= 0 && Overlap < 1)) throw SettingError.Invalid(nameof(Overlap), $"must be in [0, 1) (got {Overlap}).");
        if (WindowBatch < 1) throw new ArgumentException($"Windows per batch must be at least 1 (got {WindowBatch}).");
    }
}
