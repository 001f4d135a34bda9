using System.Text.Json;
using SoSeg.Cli;
using SoSeg.Cli.Commands;
using SoSeg.Models.Analysis;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Cli;

public class BenchCommandTests
{
    [Fact]
    public void Json_reports_timings_throughput_flops_and_cpu_peak_memory()
    {
        var (code, output, error) = CliHarness.Run(BenchCommand.Create(new ModelStatisticsCache(null)),
            "bench", "--model", "sosegformer-s", "--size", "64", "--batch", "2", "--steps", "3", "--warmup", "1", "--device", "cpu", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("sosegformer-s", root.GetProperty("model").GetString());
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        Assert.Equal(2_609_530, root.GetProperty("parameters").GetInt64());
        Assert.True(root.GetProperty("gFlopsPerImage").GetDouble() > 0);
        foreach (var phase in new[] { "forward", "trainStep" })
        {
            var timing = root.GetProperty(phase);
            // The median and the throughput from the raw step times: the middle of three, and 2 images per step.
            var steps = timing.GetProperty("stepsMs").EnumerateArray().Select(e => e.GetDouble()).Order().ToArray();
            Assert.Equal(3, steps.Length);
            Assert.All(steps, ms => Assert.True(ms > 0));
            Assert.Equal(steps[1], timing.GetProperty("medianMs").GetDouble(), 1e-9);
            Assert.Equal(2 * 1000.0 / steps[1], timing.GetProperty("imagesPerSecond").GetDouble(), 1e-6);
        }
        var memory = root.GetProperty("trainPeakMemory");
        Assert.True(memory.GetProperty("bytes").GetInt64() > 10_000_000);
        Assert.Contains("VmHWM", memory.GetProperty("source").GetString());
    }

    [Fact]
    public void Augment_times_the_augmentations_next_to_the_training_step()
    {
        var (code, output, error) = CliHarness.Run(BenchCommand.Create(new ModelStatisticsCache(null)),
            "bench", "--model", "sosegformer-s", "--augment", "--size", "32", "--batch", "2", "--steps", "1", "--warmup", "0", "--device", "cpu");
        Assert.True(code == 0, error);
        Assert.Contains("train step", output);
        Assert.Contains("augmentation ", output);
        Assert.Contains("the training step", output);

        var alone = CliHarness.Run(BenchCommand.Create(new ModelStatisticsCache(null)),
            "bench", "--augment", "--size", "32", "--batch", "2", "--steps", "1", "--warmup", "0", "--device", "cpu", "--json");
        Assert.True(alone.Code == 0, alone.Err);
        using var json = JsonDocument.Parse(alone.Out);
        var augmentation = json.RootElement.GetProperty("augmentation");
        Assert.True(augmentation.GetProperty("imagesPerSecond").GetDouble() > 0);
        Assert.Equal(32, augmentation.GetProperty("cropSize").GetInt32());

        var neither = CliHarness.Run(BenchCommand.Create(new ModelStatisticsCache(null)), "bench", "--device", "cpu");
        Assert.Equal(1, neither.Code);
    }

    [Fact]
    public void Gflops_of_a_narrow_unet_match_its_layer_shapes()
    {
        var (code, output, error) = CliHarness.Run(BenchCommand.Create(new ModelStatisticsCache(null)),
            "bench", "--model", "unet", "--model-option", "base-width=2", "--size", "32", "--batch", "1", "--steps", "1", "--warmup", "0",
            "--forward-only", "--device", "cpu", "--json");
        Assert.True(code == 0, error);
        // ModelFlopsTests' 755,712 MACs for one grey channel; three colour channels add 1024 x 2 x 2 x 9 to the first convolution.
        const long macs = 755_712 + 1024 * 2 * 2 * 9;
        using var json = JsonDocument.Parse(output);
        Assert.Equal(2 * macs / 1e9, json.RootElement.GetProperty("gFlopsPerImage").GetDouble(), 1e-12);
    }

    [Fact]
    public void Text_output_names_the_phases_and_the_memory_source()
    {
        var (code, output, error) = CliHarness.Run(BenchCommand.Create(new ModelStatisticsCache(null)),
            "bench", "--model", "sosegformer-s", "--size", "32", "--batch", "2", "--steps", "1", "--warmup", "0", "--device", "cpu", "--forward-only");
        Assert.True(code == 0, error);
        Assert.Contains("2,609,530 parameters", output);
        Assert.Contains("forward ", output);
        Assert.DoesNotContain("train step", output);
        Assert.Contains("process RSS high-water mark", output);
    }

    [Fact]
    public void Unknown_model_is_a_one_line_error_listing_the_known_ones()
    {
        var error = new StringWriter();
        Assert.Equal(1, SosegCli.Run(["bench", "--model", "nope", "--device", "cpu"], new StringWriter(), error));
        Assert.StartsWith("error: Unknown model 'nope'. Known models: ", error.ToString());
        Assert.Contains("sosegformer-s", error.ToString());
        Assert.DoesNotContain("   at ", error.ToString());
    }

    [Fact]
    public void Bad_sizes_are_one_line_errors()
    {
        var (code, _, error) = CliHarness.Run(BenchCommand.Create(new ModelStatisticsCache(null)),
            "bench", "--model", "sosegformer-s", "--batch", "0", "--device", "cpu");
        Assert.Equal(1, code);
        Assert.StartsWith("error: --batch must be positive, got 0.", error);
    }
}
