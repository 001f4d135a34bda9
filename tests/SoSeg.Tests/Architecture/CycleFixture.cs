// Fixture for DependencyTests: namespaces that use each other in the ways the namespace graph must see.
namespace SoSeg.Tests.Architecture.CycleFixture.A
{
    internal static class UsesBInABody
    {
        public static int Count() => new List<B.HoldsAInAField>().Count;
    }
}

namespace SoSeg.Tests.Architecture.CycleFixture.B
{
    internal sealed class HoldsAInAField
    {
        internal Func<int>? Counter = A.UsesBInABody.Count;
    }
}

namespace SoSeg.Tests.Architecture.CycleFixture.C
{
    internal class BaseOfD;
    internal sealed class UsesDAsGenericArgument
    {
        public IReadOnlyList<Dictionary<string, D.DerivesFromC[]>>? Items { get; init; }
    }
}

namespace SoSeg.Tests.Architecture.CycleFixture.D
{
    internal sealed class DerivesFromC : C.BaseOfD;
}

namespace SoSeg.Tests.Architecture.CycleFixture.E
{
    /// <summary>Uses A, which does not use E: no cycle.</summary>
    internal static class UsesAOnly
    {
        public static int Count() => A.UsesBInABody.Count();
    }
}
