namespace SoSeg.Models.Analysis;

/// <summary>Parameter count and counted FLOPs of one model configuration for one square input size (batch 1).</summary>
/// <param name="Model">Registered model name.</param>
/// <param name="InChannels">Input channels the model was built for.</param>
/// <param name="NumClasses">Classes K it was built for.</param>
/// <param name="Options">Model options as "key=value" pairs, sorted ("" for the defaults).</param>
/// <param name="Size">Input height and width of the counted forward.</param>
/// <param name="Parameters">Parameter count.</param>
/// <param name="Flops">The counted forward of one image.</param>
public sealed record ModelStatistics(string Model, int InChannels, int NumClasses, string Options, int Size, long Parameters, FlopReport Flops);
