using SoSeg.Models;
using SoSeg.Models.Analysis;
using SoSeg.Runtime;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models.Analysis;

public sealed class ModelStatisticsCacheTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("soseg-stats-").FullName;

    public ModelStatisticsCacheTests() => TorchRuntime.Initialise();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Statistics_are_counted_once_and_read_back_by_configuration()
    {
        string path = Path.Combine(_folder, "cache.json");
        var first = new ModelStatisticsCache(path).GetOrCompute("sosegformer-s", 1, 3, ModelOptions.Parse(["aspp-channels=32"]), 64);
        Assert.Equal(1, first.InChannels);
        Assert.Equal("aspp-channels=32", first.Options);

        var reread = new ModelStatisticsCache(path);
        Assert.True(reread.Contains("sosegformer-s", 1, 3, ModelOptions.Parse(["ASPP-CHANNELS=32"]), 64));
        Assert.False(reread.Contains("sosegformer-s", 3, 3, ModelOptions.Parse(["aspp-channels=32"]), 64));
        Assert.False(reread.Contains("sosegformer-s", 1, 3, ModelOptions.Empty, 64));
        Assert.False(reread.Contains("sosegformer-s", 1, 3, ModelOptions.Parse(["aspp-channels=32"]), 96));
        var second = reread.GetOrCompute("sosegformer-s", 1, 3, ModelOptions.Parse(["aspp-channels=32"]), 64);
        Assert.Equal(first.Parameters, second.Parameters);
        Assert.Equal(first.Flops.Macs, second.Flops.Macs);
        Assert.Equal(first.Flops.MacsByOperation, second.Flops.MacsByOperation);
        Assert.Equal(first.Flops.GFlops, second.Flops.GFlops);
    }

    [Fact]
    public void A_damaged_cache_file_is_recounted_and_replaced()
    {
        string path = Path.Combine(_folder, "cache.json");
        File.WriteAllText(path, "{ not json");
        var cache = new ModelStatisticsCache(path);
        Assert.False(cache.Contains("sosegformer-s", 3, 2, ModelOptions.Empty, 32));
        var statistics = cache.GetOrCompute("sosegformer-s", 3, 2, ModelOptions.Empty, 32);
        Assert.Equal(2_609_530, statistics.Parameters);
        Assert.True(new ModelStatisticsCache(path).Contains("sosegformer-s", 3, 2, ModelOptions.Empty, 32));
    }
}
