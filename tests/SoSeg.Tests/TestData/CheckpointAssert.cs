using SoSeg.Runtime;
using SoSeg.Training;
using SoSeg.Checkpoints;

namespace SoSeg.Tests.TestData;

/// <summary>Assertions on checkpoint files shared by the resume tests.</summary>
public static class CheckpointAssert
{
    /// <summary>Every parameter of the two checkpoints' models is bit-for-bit equal.</summary>
    public static void SameWeights(string expected, string actual)
    {
        var device = TorchRuntime.Resolve(DeviceSpec.Cpu);
        var (a, _) = Checkpoint.LoadModel(expected, device);
        var (b, _) = Checkpoint.LoadModel(actual, device);
        var other = b.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in a.named_parameters())
            Assert.True(parameter.equal(other[name]).all().item<bool>(), $"{actual}: {name} differs from {expected}");
        a.Dispose();
        b.Dispose();
    }
}
