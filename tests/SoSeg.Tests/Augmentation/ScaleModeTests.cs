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
        Assert.Equal(ScaleMode.Crop, new TrainingOptions().Augmentation.ScaleMode);
        var error = Assert.Throws<ArgumentException>(() => ScaleModes.Parse("Image"));
        Assert.Equal("ScaleMode must be crop, image, off (got 'Image').", error.Message);
    }

    [Theory]
    [InlineData(ScaleMode.Crop, true, true)]
    [InlineData(ScaleMode.Image, true, false)]
    [InlineData(ScaleMode.Off, false, false)]
    public void Each_mode_sets_the_random_rescale_of_the_augmentations(ScaleMode mode, bool randomScale, bool relativeToCrop)
    {
        var options = mode.ApplyTo(AugmentationOptions.Default);
        Assert.Equal(randomScale, options.RandomScale);
        Assert.Equal(relativeToCrop, options.ScaleRelativeToCrop);
        Assert.Equal(mode, options.ScaleMode);
    }

    [Fact]
    public void Config_json_keeps_the_lower_case_name_and_older_files_read_back()
    {
        string json = JsonSerializer.Serialize(new SoSeg.Planning.PlannedSetting<ScaleMode>(ScaleMode.Image, "why"));
        using (var document = JsonDocument.Parse(json))
            Assert.Equal("image", document.RootElement.GetProperty("Value").GetString());
        // config.json written when the setting was a flat string field
        Assert.Equal(ScaleMode.Off, JsonSerializer.Deserialize<TrainingOptions>("{\"Model\":\"unet\",\"ScaleMode\":\"off\"}")!.Augmentation.ScaleMode);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TrainingOptions>("{\"ScaleMode\":\"zoom\"}"));
    }

    [Fact]
    public void An_undefined_value_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => ((ScaleMode)7).ApplyTo(AugmentationOptions.Default));
        Assert.StartsWith("ScaleMode must be crop, image, off", error.Message);
    }
}
