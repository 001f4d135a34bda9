using System.Text.Json;
using SoSeg.Losses;
using SoSeg.Training;

namespace SoSeg.Tests.Losses;

public class TrainingLossTests
{
    [Fact]
    public void Names_parse_to_the_typed_setting_and_back()
    {
        Assert.Equal(new TrainingLoss(LossKind.CrossEntropy), TrainingLoss.Parse("ce"));
        Assert.Equal(new TrainingLoss(LossKind.FocalTversky, DeepSupervision: true), TrainingLoss.Parse("focal-tversky+ds"));
        Assert.Equal("model+ds", new TrainingLoss(LossKind.Model, true).ToString());
        Assert.Equal("ce", new TrainingOptions().Loss.ToString());
        foreach (var name in LossRegistry.Names) Assert.Equal(name, TrainingLoss.Parse(name).ToString());
    }

    [Fact]
    public void An_unknown_name_is_an_error_naming_the_setting_and_the_known_losses()
    {
        var error = Assert.Throws<ArgumentException>(() => TrainingLoss.Parse("lovasz"));
        Assert.StartsWith("Loss must be one of ce, model, dice-ce", error.Message);
        Assert.Contains("'lovasz'", error.Message);
    }

    [Fact]
    public void Config_json_keeps_the_loss_name()
    {
        string json = JsonSerializer.Serialize(new TrainingOptions { Loss = "focal-tversky+ds" });
        using (var document = JsonDocument.Parse(json))
            Assert.Equal("focal-tversky+ds", document.RootElement.GetProperty("Loss").GetString());
        var read = JsonSerializer.Deserialize<TrainingOptions>("{\"Model\":\"unet\",\"Loss\":\"model\"}")!;
        Assert.Equal(new TrainingLoss(LossKind.Model), read.Loss);
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TrainingOptions>("{\"Loss\":\"dice\"}"));
        Assert.Contains("Loss must be one of", error.Message);
    }
}
