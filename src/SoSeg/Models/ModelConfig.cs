namespace SoSeg.Models;

/// <summary>What every model factory receives: input channels (1 grey, 3 RGB), number of classes K (background included) and options.</summary>
public sealed record ModelConfig(int InChannels, int NumClasses, ModelOptions Options)
{
    public ModelConfig(int inChannels, int numClasses) : this(inChannels, numClasses, ModelOptions.Empty) { }
}
