using System.Diagnostics;

namespace SoSeg.Monitoring;

/// <summary>
/// Runs work that reports progress. The library reports through this interface only; a console application
/// supplies bars (the command-line tool draws them with Spectre.Console), a plain program can use
/// <see cref="PlainProgress"/> or <see cref="SilentProgress"/>.
/// </summary>
public interface IProgressReporter
{
    /// <summary>Runs work that reports through the tasks it adds to the context.</summary>
    T Run<T>(Func<IProgressContext, T> work);
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

/// <summary>Helpers over <see cref="IProgressReporter"/>.</summary>
public static class ProgressReporterExtensions
{
    /// <summary>Runs work that returns nothing.</summary>
    public static void Run(this IProgressReporter reporter, Action<IProgressContext> work) =>
        reporter.Run<int>(ctx => { work(ctx); return 0; });
}

/// <summary>Plain throttled lines ("epoch 1/6  32.0% elapsed 0:10 eta 0:23  loss ..."), for logs and redirected output.</summary>
public sealed class PlainProgress(TextWriter output) : IProgressReporter
{
    /// <summary>How often a line is printed for a task that has not finished.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    public T Run<T>(Func<IProgressContext, T> work) => work(new Context(output, Interval));

    sealed class Context(TextWriter output, TimeSpan interval) : IProgressContext
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
                ? $" eta {Durations.Format(TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds * (1 - fraction) / fraction))}" : "";
            output.WriteLine($"{description} {fraction * 100,5:0.0}% elapsed {Durations.Format(_clock.Elapsed)}{eta}{(_status.Length > 0 ? "  " + _status : "")}");
            output.Flush();
        }
    }
}

/// <summary>Reports nothing: for programs that show no progress.</summary>
public sealed class SilentProgress : IProgressReporter
{
    public static SilentProgress Instance { get; } = new();

    public T Run<T>(Func<IProgressContext, T> work) => work(new Context());

    sealed class Context : IProgressContext
    {
        public IProgressTask AddTask(string description, double total) => new Task();
    }

    sealed class Task : IProgressTask
    {
        public double Value { get; set; }
        public void Advance(double amount = 1) => Value += amount;
        public void Status(string status) { }
        public void Complete() { }
    }
}

/// <summary>Durations as people read them.</summary>
public static class Durations
{
    /// <summary>h:mm:ss or m:ss.</summary>
    public static string Format(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}" : $"{span.Minutes}:{span.Seconds:00}";
}
