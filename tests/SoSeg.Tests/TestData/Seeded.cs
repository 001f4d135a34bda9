using SoSeg.Runtime;
using static TorchSharp.torch;

namespace SoSeg.Tests.TestData;

/// <summary>
/// libtorch has one global random generator, shared by every thread, and layers draw their initial weights
/// from it (TorchSharp's constructors take no generator). Test inputs use a generator of their own
/// (<c>randn(shape, generator: random)</c>); a seeded model is built here, seeding and building under one
/// lock, so two seeded builds never interleave. Tests that compare runs bit for bit still belong in
/// <see cref="SequentialCollection"/>, since unseeded code elsewhere may draw meanwhile.
/// </summary>
public static class Seeded
{
    static readonly object Gate = new();

    /// <summary>Seeds the global generator and runs <paramref name="build"/> while no other seeded build can.</summary>
    public static T Build<T>(long seed, Func<T> build)
    {
        lock (Gate)
        {
            TorchRuntime.Seed(seed, CPU);
            return build();
        }
    }
}
