using System.Runtime.ExceptionServices;

namespace SoSeg.Runtime;

/// <summary>
/// Runs a <see cref="Parallel"/> loop so that a failing item surfaces as its own exception (a
/// <see cref="SoSegException"/> naming the bad file comes first), not wrapped in an <see cref="AggregateException"/>.
/// </summary>
public static class ParallelLoops
{
    public static void Run(Action loop)
    {
        try
        {
            loop();
        }
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Capture(FirstCause(e)).Throw();
        }
    }

    /// <summary>The first <see cref="SoSegException"/> among the flattened causes, else the first cause.</summary>
    public static Exception FirstCause(AggregateException e)
    {
        var causes = e.Flatten().InnerExceptions;
        return causes.FirstOrDefault(c => c is SoSegException) ?? (causes.Count > 0 ? causes[0] : e);
    }
}
