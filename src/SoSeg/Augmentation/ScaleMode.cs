using System.Text.Json.Serialization;

namespace SoSeg.Augmentation;

/// <summary>
/// How the random rescale before the crop picks its size. Written by its lower-case name ("crop", "image", "off")
/// in config.json, plan.json and on the command line (<see cref="ScaleModes"/>).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ScaleMode>))]
public enum ScaleMode
{
    /// <summary>"crop" (authors' code): the short side becomes factor x crop, so frames of any size meet the network at a similar size.</summary>
    [JsonStringEnumMemberName("crop")] Crop,
    /// <summary>"image": factor x the image's own size; keeps tiny objects at their native scale when the crop is smaller than the frames.</summary>
    [JsonStringEnumMemberName("image")] Image,
    /// <summary>"off": no random rescale.</summary>
    [JsonStringEnumMemberName("off")] Off,
}

/// <summary>Names of <see cref="ScaleMode"/> values and what each one sets in <see cref="AugmentationOptions"/>.</summary>
public static class ScaleModes
{
    static readonly (ScaleMode Mode, string Name)[] All = [(ScaleMode.Crop, "crop"), (ScaleMode.Image, "image"), (ScaleMode.Off, "off")];

    /// <summary>Every name, in declaration order.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(m => m.Name).ToArray();

    /// <summary>The lower-case name, as the setting is written.</summary>
    public static string Name(this ScaleMode mode) =>
        All.FirstOrDefault(m => m.Mode == mode).Name ?? throw new ArgumentOutOfRangeException(nameof(mode), mode, "not a scale mode");

    /// <summary>The mode a name stands for; an unknown name is an <see cref="ArgumentException"/> naming the ScaleMode setting and the known names.</summary>
    public static ScaleMode Parse(string name) =>
        All.Where(m => m.Name == name).Select(m => (ScaleMode?)m.Mode).FirstOrDefault()
        ?? throw SettingError.Invalid(nameof(ScaleMode), $"must be {string.Join(", ", Names)} (got '{name}').");

    /// <summary><paramref name="options"/> with the random rescale this mode stands for.</summary>
    public static AugmentationOptions ApplyTo(this ScaleMode mode, AugmentationOptions options) =>
        Enum.IsDefined(mode)
            ? options with { RandomScale = mode != ScaleMode.Off, ScaleRelativeToCrop = mode == ScaleMode.Crop }
            : throw SettingError.Invalid(nameof(ScaleMode), $"must be {string.Join(", ", Names)} (got {(int)mode}).");
}
