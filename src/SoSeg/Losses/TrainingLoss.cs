using System.Text.Json;
using System.Text.Json.Serialization;

namespace SoSeg.Losses;

/// <summary>The losses the Loss setting names (<see cref="LossRegistry"/> holds each one's name and how it is built).</summary>
public enum LossKind
{
    /// <summary>"ce": cross-entropy for every model (the paper's protocol).</summary>
    CrossEntropy,
    /// <summary>"model": each model's own paper loss.</summary>
    Model,
    /// <summary>"dice-ce": cross-entropy + batch soft Dice.</summary>
    DiceCrossEntropy,
    /// <summary>"focal".</summary>
    Focal,
    /// <summary>"tversky".</summary>
    Tversky,
    /// <summary>"focal-tversky".</summary>
    FocalTversky,
    /// <summary>"weighted-ce": inverse-frequency class weights per batch.</summary>
    WeightedCrossEntropy,
}

/// <summary>
/// The Loss setting: a loss and whether the model's side outputs are also supervised. Written as its name
/// ("ce", "model", "focal-tversky+ds") in config.json and on the command line; a name converts implicitly, and an
/// unknown one is an <see cref="ArgumentException"/> naming the Loss setting and the known names.
/// </summary>
[JsonConverter(typeof(TrainingLossJsonConverter))]
public readonly record struct TrainingLoss(LossKind Kind, bool DeepSupervision = false)
{
    /// <summary>The loss a name stands for ("focal+ds": focal loss with deep supervision).</summary>
    public static TrainingLoss Parse(string name)
    {
        LossRegistry.Check(name);
        bool deep = name.EndsWith(LossRegistry.DeepSupervisionSuffix, StringComparison.Ordinal);
        return new(LossRegistry.KindOf(deep ? name[..^LossRegistry.DeepSupervisionSuffix.Length] : name), deep);
    }

    public static implicit operator TrainingLoss(string name) => Parse(name);

    /// <summary>The name, as the Loss setting is written.</summary>
    public override string ToString() => LossRegistry.NameOf(Kind) + (DeepSupervision ? LossRegistry.DeepSupervisionSuffix : "");
}

/// <summary>Reads and writes a <see cref="TrainingLoss"/> as its name, so existing config.json files read back.</summary>
public sealed class TrainingLossJsonConverter : JsonConverter<TrainingLoss>
{
    public override TrainingLoss Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("Loss must be a name such as \"ce\".");
        try { return TrainingLoss.Parse(reader.GetString()!); }
        catch (ArgumentException e) { throw new JsonException(e.Message); } // the reader names the file
    }

    public override void Write(Utf8JsonWriter writer, TrainingLoss value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
