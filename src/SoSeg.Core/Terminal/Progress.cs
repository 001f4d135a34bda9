using System.Diagnostics;
using Spectre.Console;

namespace SoSeg.Terminal;

/// <summary>
/// Progress reporting for long commands: Spectre.Console bars on a terminal, plain throttled lines
/// when output is redirected (CI logs) or <c>--no-progress</c> is given.
/// </summary>
public sealed class Progress
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
        if (!_interactive) return work(new PlainContext(_plainOut, PlainInterval));
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

    sealed class PlainContext(TextWriter output, TimeSpan interval) : IProgressContext
    {
        public IProgressTask AddTask(string description, double total) => new PlainTask(output, description, total, interval);
    }

    sealed class PlainTask(TextWriter output, string description, double total, TimeSpan interval) : IProgressTask
    {
        readonly Stopwatch _clock = Stopwatch.StartNew();
        TimeSpan _lastPrint = TimeSpan.Zero;
        string _status = "";
        bool _done;
        double _printedValue = -1;
        public double Value { get; set; }

        public void Advance(double amount = 1)
        {
            Value += amount;
            if (_clock.Elapsed - _lastPrint >= interval) Print();
        }

        public void Status(string status) => _status = status;

        public void Complete()
        {
            if (_done) return;
            _done = true;
            // Skip the final line when the last one already said 100%.
            if (_printedValue >= total) return;
            Value = total;
            Print();
        }

        void Print()
        {
            _lastPrint = _clock.Elapsed;
            _printedValue = Value;
            double fraction = total > 0 ? Math.Clamp(Value / total, 0, 1) : 1;
            string eta = fraction > 0 && fraction < 1
                ? $" eta {FormatDuration(TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds * (1 - fraction) / fraction))}" : "";
            output.WriteLine($"{description} {fraction * 100,5:0.0}% elapsed {FormatDuration(_clock.Elapsed)}{eta}{(_status.Length > 0 ? "  " + _status : "")}");
            output.Flush();
        }
    }

    /// <summary>h:mm:ss or m:ss.</summary>
    public static string FormatDuration(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}" : $"{span.Minutes}:{span.Seconds:00}";
}

/// <summary>Where a command adds the tasks it reports progress on.</summary>
public interface IProgressContext
{
    IProgressTask AddTask(string description, double total);
}

/// <summary>One progress bar (or one series of plain lines).</summary>
public interface IProgressTask
{
    double Value { get; set; }
    void Advance(double amount = 1);
    /// <summary>Short live status shown next to the bar (loss, learning rate, images/s...).</summary>
    void Status(string status);
    void Complete();
}
