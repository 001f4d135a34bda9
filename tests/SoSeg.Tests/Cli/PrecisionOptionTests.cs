using System.Text.Json;
using SoSeg.Cli.Commands;
using SoSeg.Models.Analysis;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Cli;

public class PrecisionOptionTests
{
    static (int Code, string Out, string Err) Bench(params string[] extra) =>
        CliHarness.Run(BenchCommand.Create(new ModelStatisticsCache(null)),
            ["bench", "--model", "unet", "--model-option", "base-width=4", "--size", "32", "--batch", "1", "--steps", "1", "--warmup", "0", "--device", "cpu", "--json", .. extra]);

    [Theory]
    [InlineData(new string[0], "tf32", "adamw")]
    [InlineData(new[] { "--precision", "bf16" }, "bf16", "adamw")]
    [InlineData(new[] { "--precision", "fp32", "--optimizer", "adamw-per-tensor" }, "fp32", "adamw-per-tensor")]
    [InlineData(new[] { "--no-tf32" }, "fp32", "adamw")]
    public void Bench_runs_and_reports_the_precision_and_optimizer_it_used(string[] options, string precision, string optimizer)
    {
        var (code, output, error) = Bench(options);
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(precision, json.RootElement.GetProperty("precision").GetString());
        Assert.Equal(optimizer, json.RootElement.GetProperty("optimizer").GetString());
        Assert.True(json.RootElement.GetProperty("optimizerStep").GetProperty("medianMs").GetDouble() > 0);
    }

    [Theory]
    [InlineData(new string[0], "nchw")]
    [InlineData(new[] { "--channels-last" }, "channels-last")]
    [InlineData(new[] { "--channels-last", "--precision", "bf16" }, "channels-last")]
    public void Bench_runs_and_reports_the_activation_layout_it_used(string[] options, string layout)
    {
        var (code, output, error) = Bench(options);
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(layout, json.RootElement.GetProperty("memoryFormat").GetString());
        Assert.True(json.RootElement.GetProperty("trainStep").GetProperty("medianMs").GetDouble() > 0);
    }

    [Theory]
    [InlineData(new[] { "--precision", "fp16" }, "--precision")]
    [InlineData(new[] { "--precision", "bf16", "--no-tf32" }, "--no-tf32")]
    [InlineData(new[] { "--optimizer", "sgd" }, "--optimizer")]
    public void A_wrong_precision_or_optimizer_is_a_one_line_error_naming_the_option(string[] options, string named)
    {
        var (code, _, error) = Bench(options);
        Assert.NotEqual(0, code);
        Assert.Contains(named, error);
        Assert.DoesNotContain("   at ", error);
    }
}
