using Spectre.Console;
using SoSeg.Monitoring;

namespace SoSeg.App.Terminal;

/// <summary>
/// Progress reporting for long commands: Spectre.Console bars on a terminal, plain throttled lines
/// (<see cref="PlainProgress"/>) when output is redirected (CI logs) or <c>--no-progress</c> is given.
/// </summary>
public sealed class Progress : IProgressReporter
{
    readonly bool _interactive;
    readonly TextWriter _plainOut;

    /// <summary>How often plain mode prints a line for a task that has not finished.</summary>
    public TimeSpan PlainInterval { get; init; } = TimeSpan.FromSeconds(10);

    public Progress(bool disabled = false, TextWriter? plainOut = null)
    {
        _plainOut = plainOut ?? System.Console.Out;
        _interactive = !disabled && plainOut is null && !System.Console.IsOutputRedirected &&
                       AnsiConsole.Profile.Capabilities.Interactive;
    }

    /// <summary>True when bars are drawn (a terminal and progress not disabled).</summary>
    public bool Interactive => _interactive;

    /// <summary>Runs work that reports through the tasks it adds to the context.</summary>
    public T Run<T>(Func<IProgressContext, T> work)
    {
        if (!_interactive) return new PlainProgress(_plainOut) { Interval = PlainInterval }.Run(work);
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => { result = work(new SpectreContext(ctx)); });
        return result;
    }

    /// <summary>Runs work that returns nothing.</summary>
    public void Run(Action<IProgressContext> work) => Run<int>(ctx => { work(ctx); return 0; });

    sealed class SpectreContext(ProgressContext context) : IProgressContext
    {
        public IProgressTask AddTask(string description, double total) =>
            new SpectreTask(context.AddTask(Markup.Escape(description), maxValue: Math.Max(total, 1e-9)), description);
    }

    sealed class SpectreTask(ProgressTask task, string description) : IProgressTask
    {
        string _status = "";
        public void Advance(double amount = 1) => task.Increment(amount);
        public double Value { get => task.Value; set => task.Value = value; }
        public void Status(string status)
        {
            _status = status;
            task.Description = Markup.Escape(status.Length == 0 ? description : $"{description}  {status}");
        }
        public void Complete() { task.Value = task.MaxValue; task.StopTask(); }
        public override string ToString() => _status;
    }

    /// <summary>h:mm:ss or m:ss.</summary>
    public static string FormatDuration(TimeSpan span) => Durations.Format(span);
}
