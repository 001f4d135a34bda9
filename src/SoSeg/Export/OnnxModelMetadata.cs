using System.Globalization;
using System.Text.Json;
using SoSeg.Training;
using SoSeg.Checkpoints;

namespace SoSeg.Export;

/// <summary>
/// What an exported .onnx file says about itself (ONNX metadata_props), so a deployment needs nothing but
/// the file: classes and their mask label values, input channels, the intensity normalisation the model
/// was trained with, the training crop (the sliding-window size), the model and its options, and the
/// SoSeg version that wrote it. Values are plain strings; lists and maps are JSON.
/// </summary>
public static class OnnxModelMetadata
{
    public const string Format = "soseg.format";
    public const string FormatValue = "soseg-onnx/1";
    public const string Model = "soseg.model";
    public const string ModelOptions = "soseg.model_options";
    public const string InChannels = "soseg.in_channels";
    public const string NumClasses = "soseg.num_classes";
    public const string ClassNames = "soseg.class_names";
    public const string LabelValues = "soseg.label_values";
    public const string Normalisation = "soseg.normalisation";
    /// <summary>The sliding window the model was validated with: prediction's default window.</summary>
    public const string WindowSize = "soseg.window_size";
    /// <summary>Written by older exports instead of <see cref="WindowSize"/> (the training crop, which was the window); still read.</summary>
    public const string LegacyCropSize = "soseg.crop_size";
    public const string SizeDivisor = "soseg.size_divisor";
    public const string Epoch = "soseg.epoch";
    public const string Dataset = "soseg.dataset";
    public const string Version = "soseg.version";
    public const string Input = "soseg.input";
    public const string Output = "soseg.output";

    /// <summary>Name of the graph input (float32 N x C x H x W).</summary>
    public const string InputName = "image";
    /// <summary>Name of the graph output (float32 logits N x K x H x W).</summary>
    public const string OutputName = "logits";

    /// <summary>
    /// The normalisation SoSeg applies before the network (machine-readable for other programs): 2-D images
    /// are divided by 255 (8-bit), volumes clipped to their own intensity percentiles and scaled to [0, 1].
    /// </summary>
    public static string NormalisationJson() => JsonSerializer.Serialize(new
    {
        images = new { divide_by = 255.0, description = "8-bit pixel values / 255, per channel; grey images give one channel, colour images three (R, G, B)" },
        volumes = new { lower_percentile = 0.5, upper_percentile = 99.5, description = "per volume and channel: clip to these percentiles of its own intensities, then scale linearly to [0, 1]; slices are axial" },
        padding = "none needed: the graph pads H and W to its size divisor with zeros and crops the logits back",
    });

    /// <summary>The entries for a model trained as <paramref name="info"/> says.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> From(CheckpointInfo info, int sizeDivisor, string version) =>
    [
        new(Format, FormatValue),
        new(Model, info.Model),
        new(ModelOptions, JsonSerializer.Serialize(info.ModelOptions)),
        new(InChannels, info.InChannels.ToString(CultureInfo.InvariantCulture)),
        new(NumClasses, info.NumClasses.ToString(CultureInfo.InvariantCulture)),
        new(ClassNames, JsonSerializer.Serialize(info.ClassNames)),
        new(LabelValues, JsonSerializer.Serialize(info.LabelValues.Count > 0 ? info.LabelValues : Enumerable.Range(0, info.NumClasses).ToList())),
        new(Normalisation, NormalisationJson()),
        new(WindowSize, info.WindowSize.ToString(CultureInfo.InvariantCulture)),
        new(SizeDivisor, sizeDivisor.ToString(CultureInfo.InvariantCulture)),
        new(Epoch, info.Epoch.ToString(CultureInfo.InvariantCulture)),
        new(Dataset, info.Dataset),
        new(Version, version),
        new(Input, $"{InputName}: float32 N x {info.InChannels} x H x W, intensities normalised as {Normalisation} says; any H and W"),
        new(Output, $"{OutputName}: float32 N x {info.NumClasses} x H x W logits; softmax over axis 1 gives class probabilities, argmax the class index, {LabelValues} maps it to the mask value"),
    ];

    /// <summary>Rebuilds the checkpoint facts prediction needs from a file's metadata; <paramref name="path"/> names the file in errors.</summary>
    public static CheckpointInfo ToCheckpointInfo(IReadOnlyDictionary<string, string> metadata, string path)
    {
        string Get(string key) => metadata.TryGetValue(key, out var value)
            ? value
            : throw new SoSegException($"{path}: no '{key}' in the ONNX metadata; not a file written by `soseg export`.");
        if (Get(Format) != FormatValue)
            throw new SoSegException($"{path}: ONNX metadata format '{metadata[Format]}' is not {FormatValue}.");
        try
        {
            return new CheckpointInfo
            {
                Model = Get(Model),
                ModelOptions = JsonSerializer.Deserialize<Dictionary<string, string>>(Get(ModelOptions)) ?? new(),
                InChannels = int.Parse(Get(InChannels), CultureInfo.InvariantCulture),
                NumClasses = int.Parse(Get(NumClasses), CultureInfo.InvariantCulture),
                ClassNames = JsonSerializer.Deserialize<List<string>>(Get(ClassNames)) ?? [],
                LabelValues = JsonSerializer.Deserialize<List<int>>(Get(LabelValues)) ?? [],
                WindowSize = int.Parse(metadata.ContainsKey(WindowSize) ? Get(WindowSize) : Get(LegacyCropSize), CultureInfo.InvariantCulture),
                Epoch = int.Parse(Get(Epoch), CultureInfo.InvariantCulture),
                Dataset = Get(Dataset),
                SoSegVersion = Get(Version),
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or OverflowException)
        {
            throw new SoSegException($"{path}: damaged SoSeg metadata in the ONNX file ({e.Message}).");
        }
    }
}
