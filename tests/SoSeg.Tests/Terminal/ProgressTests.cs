using SoSeg.Monitoring;
using SoSeg.App.Terminal;

namespace SoSeg.Tests.Terminal;

public class ProgressTests
{
    [Fact]
    public void Plain_mode_prints_throttled_lines_and_a_final_one()
    {
        var output = new StringWriter();
        var progress = new Progress(plainOut: output) { PlainInterval = TimeSpan.FromHours(1) };
        Assert.False(progress.Interactive);
        int result = progress.Run(ctx =>
        {
            var task = ctx.AddTask("epoch 1/2", 10);
            for (int i = 0; i < 10; i++) { task.Advance(); task.Status($"loss {1.0 / (i + 1):0.000}"); }
            task.Complete();
            return 42;
        });
        Assert.Equal(42, result);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("epoch 1/2 100.0%", lines[0]);
        Assert.Contains("loss 0.100", lines[0]);
    }

    [Fact]
    public void Durations_format_as_minutes_or_hours()
    {
        Assert.Equal("2:05", Progress.FormatDuration(TimeSpan.FromSeconds(125)));
        Assert.Equal("1:00:01", Progress.FormatDuration(TimeSpan.FromSeconds(3601)));
    }
}
