using System.Runtime.CompilerServices;
using SoSeg.Runtime;

namespace SoSeg.Tests;

/// <summary>Process-wide settings for the test run.</summary>
internal static class TestSetup
{
    /// <summary>
    /// xunit runs test classes in parallel, one per core; libtorch's own thread pool on top of that
    /// oversubscribes a 2-core CI machine (its OpenMP threads spin), which made model tests 5x slower.
    /// One libtorch thread per operation keeps the cores busy with tests instead.
    /// </summary>
    [ModuleInitializer]
    internal static void OneLibtorchThreadPerTest()
    {
        TorchRuntime.Initialise();
        TorchSharp.torch.set_num_threads(1);
    }
}
