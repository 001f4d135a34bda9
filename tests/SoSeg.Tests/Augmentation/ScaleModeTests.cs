using System.Text.Json;
using SoSeg.Augmentation;
using SoSeg.Training;

namespace SoSeg.Tests.Augmentation;

public class ScaleModeTests
{
    [Fact]
    public void Names_parse_to_the_enum_and_back()
    {
        Assert.Equal(["crop", "image", "off"], ScaleModes.Names);
        Assert.Equal(ScaleMode.Image, ScaleModes.Parse("image"));
        Assert.Equal("off", ScaleMode.Off.Name());
        Assert.Equal(ScaleMode.Crop, new TrainingOptions().ScaleMode);
        var error = Assert.Throws<ArgumentException>(() => ScaleModes.Parse("Image"));
        Assert.Equal("ScaleMode must be crop, image, off (got 'Image').", error.Message);
    }

    [Theory]
    [InlineData(ScaleMode.Crop, true, true)]
    [InlineData(ScaleMode.Image, true, false)]
    [InlineData(ScaleMode.Off, false, false)]
    public void Each_mode_sets_the_random_rescale_of_the_augmentations(ScaleMode mode, bool randomScale, bool relativeToCrop)
    {
        var options = new TrainingOptions { ScaleMode = mode }.ToAugmentationOptions();
        Assert.Equal(randomScale, options.RandomScale);
        Assert.Equal(relativeToCrop, options.ScaleRelativeToCrop);
    }

    [Fact]
    public void Config_json_keeps_the_lower_case_name_and_older_files_read_back()
    {
        string json = JsonSerializer.Serialize(new TrainingOptions { ScaleMode = ScaleMode.Image });
        using (var document = JsonDocument.Parse(json))
            Assert.Equal("image", document.RootElement.GetProperty("ScaleMode").GetString());
        // config.json written when the setting was a string
        Assert.Equal(ScaleMode.Off, JsonSerializer.Deserialize<TrainingOptions>("{\"Model\":\"unet\",\"ScaleMode\":\"off\"}")!.ScaleMode);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TrainingOptions>("{\"ScaleMode\":\"zoom\"}"));
    }

    [Fact]
    public void An_undefined_value_is_refused_by_validation()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainingOptions { ScaleMode = (ScaleMode)7 }.Validate());
        Assert.StartsWith("ScaleMode must be crop, image, off", error.Message);
    }
}
