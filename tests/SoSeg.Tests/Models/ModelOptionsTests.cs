using SoSeg.Models;

namespace SoSeg.Tests.Models;

public class ModelOptionsTests
{
    [Fact]
    public void Options_parse_typed_values_with_defaults()
    {
        var options = ModelOptions.Parse(["depth=3", "widths=8,16, 32", "attention=linear,mhsa", "bias=off"]);
        Assert.Equal(3, options.GetInt("depth", 1));
        Assert.Equal([8, 16, 32], options.GetIntList("widths", []));
        Assert.Equal(["linear", "mhsa"], options.GetStringList("attention", []));
        Assert.False(options.GetBool("bias", true));
        Assert.Equal(0.5, options.GetDouble("dropout", 0.5));
        options.EnsureAllUsed("m");
    }

    [Fact]
    public void Unknown_or_malformed_options_are_errors()
    {
        var options = ModelOptions.Parse(["deep=3"]);
        options.GetInt("depth", 1);
        var unknown = Assert.Throws<ArgumentException>(() => options.EnsureAllUsed("unet"));
        Assert.Contains("deep", unknown.Message);
        Assert.Throws<ArgumentException>(() => ModelOptions.Parse(["novalue"]));
        var bad = Assert.Throws<ArgumentException>(() => ModelOptions.Parse(["depth=two"]).GetInt("depth", 1));
        Assert.Contains("depth=two", bad.Message);
    }
}
