using System.Text.Json;
using SoSeg.Data.Datasets;

namespace SoSeg.Tests.Data.Datasets;

/// <summary>Layouts are registered like models: by name, detected in their order, written by name in JSON.</summary>
public class DatasetLayoutsTests
{
    [Fact]
    public void The_built_in_layouts_are_registered_by_the_names_users_give()
    {
        Assert.Equal(["auto", "soseg", "atlas", "polypgen", "images-masks"], DatasetLayouts.Names);
        Assert.Equal(DatasetLayout.ImagesMasks, DatasetLayouts.Parse("images-masks"));
        Assert.Equal(DatasetLayout.Atlas, DatasetLayouts.Parse("ATLAS"));
        Assert.Equal(DatasetLayout.Auto, DatasetLayouts.Parse("auto"));
        var error = Assert.Throws<ArgumentException>(() => DatasetLayouts.Parse("nnunet"));
        Assert.StartsWith("Layout must be one of auto, soseg, atlas, polypgen, images-masks", error.Message);
        Assert.Throws<InvalidOperationException>(() => DatasetLayouts.Register(new Named("soseg")));
    }

    [Fact]
    public void A_layout_is_written_and_read_by_its_name_as_before()
    {
        string json = JsonSerializer.Serialize(new DatasetOptions { Layout = DatasetLayout.PolypGen });
        Assert.Contains("\"Layout\":\"PolypGen\"", json);
        Assert.Equal(DatasetLayout.PolypGen, JsonSerializer.Deserialize<DatasetOptions>(json)!.Layout);
        Assert.Equal(DatasetLayout.Auto, JsonSerializer.Deserialize<DatasetOptions>("{}")!.Layout);
        Assert.Equal(DatasetLayout.Auto, default(DatasetLayout));
        Assert.Equal("SoSeg", DatasetLayout.SoSeg.ToString());
    }

    sealed class Named(string name) : IDatasetLayoutReader
    {
        public DatasetLayout Layout => new("Other");
        public string Name => name;
        public string Expected => "";
        public int DetectionOrder => 100;
        public bool Detects(string folder) => false;
        public DatasetDiscovery Discover(string folder, DatasetOptions options) => throw new NotSupportedException();
    }
}
