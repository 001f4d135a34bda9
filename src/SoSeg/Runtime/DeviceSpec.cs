namespace SoSeg.Runtime;

/// <summary>What the user asked for with <c>--device</c>: auto, cpu, cuda or cuda:N.</summary>
public readonly record struct DeviceSpec(DeviceKind Kind, int Index)
{
    public static DeviceSpec Auto => new(DeviceKind.Auto, -1);
    public static DeviceSpec Cpu => new(DeviceKind.Cpu, -1);

    /// <summary>Parses auto|cpu|cuda|cuda:N (case-insensitive).</summary>
    public static DeviceSpec Parse(string? text)
    {
        string value = (text ?? "auto").Trim().ToLowerInvariant();
        if (value is "" or "auto") return Auto;
        if (value == "cpu") return Cpu;
        if (value == "cuda" || value == "gpu") return new(DeviceKind.Cuda, 0);
        if (value.StartsWith("cuda:", StringComparison.Ordinal) &&
            int.TryParse(value.AsSpan(5), out int index) && index >= 0)
            return new(DeviceKind.Cuda, index);
        throw new ArgumentException($"'{text}' is not a device. Use auto, cpu, cuda or cuda:N (for example cuda:1).");
    }

    public override string ToString() => Kind switch
    {
        DeviceKind.Auto => "auto",
        DeviceKind.Cpu => "cpu",
        _ => $"cuda:{Index}",
    };
}

public enum DeviceKind { Auto, Cpu, Cuda }
