using System.Text.Json;
using SoSeg.Cli.Commands;
using SoSeg.Models;
using SoSeg.Models.Analysis;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Cli;

public sealed class ModelsCommandTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("soseg-models-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Json_lists_every_registered_model_with_parameters_and_options()
    {
        var (code, output, error) = CliHarness.Run(ModelsCommand.Create(new ModelStatisticsCache(null)), "models", "--no-flops", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var entries = json.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.Equal(ModelRegistry.All.Select(d => d.Name).Order(), entries.Keys.Order());
        Assert.Equal(177_875_882, entries["sosegformer"].GetProperty("parameters").GetInt64());
        Assert.Equal(2_609_530, entries["sosegformer-s"].GetProperty("parameters").GetInt64());
        Assert.Equal("SoSegFormer", entries["sosegformer"].GetProperty("family").GetString());
        Assert.Contains(entries["sosegformer"].GetProperty("options").EnumerateArray(),
            o => o.GetProperty("key").GetString() == "attention" && o.GetProperty("default").GetString() == "linear,linear,mhsa,mhsa");
        Assert.Equal(JsonValueKind.Null, entries["sosegformer"].GetProperty("gFlops").ValueKind);
    }

    [Fact]
    public void Counted_gflops_are_listed_and_cached_for_the_next_run()
    {
        string cachePath = Path.Combine(_folder, "statistics.json");
        var (code, output, error) = CliHarness.Run(ModelsCommand.Create(new ModelStatisticsCache(cachePath)), "models", "--size", "64");
        Assert.True(code == 0, error);
        Assert.Contains("GFLOPs @64", output);
        Assert.Contains("sosegformer-s", output);
        Assert.Contains("options (--model-option key=value):", output);
        Assert.True(File.Exists(cachePath));

        var cache = new ModelStatisticsCache(cachePath);
        Assert.True(cache.Contains("sosegformer-s", 3, 2, ModelOptions.Empty, 64));
        var statistics = cache.GetOrCompute("sosegformer-s", 3, 2, ModelOptions.Empty, 64);
        Assert.Equal(2_609_530, statistics.Parameters);
        Assert.True(statistics.Flops.GFlops > 0);
        Assert.Contains($"{statistics.Flops.GFlops:0.0}", output);
    }
}
