namespace SoSeg.Tests.TestData;

/// <summary>
/// Tests that compare two runs bit for bit. libtorch's global random generator is shared by every thread,
/// so a test class running in parallel would draw from it between a seed and its use; this collection
/// runs on its own after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SequentialCollection
{
    public const string Name = "sequential (global random generator)";
}
