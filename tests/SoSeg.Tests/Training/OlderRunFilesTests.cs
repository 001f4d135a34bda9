using SoSeg.App.Training;
using SoSeg.Augmentation;
using SoSeg.Checkpoints;
using SoSeg.Models;
using SoSeg.Models.Catalog;
using SoSeg.Runtime;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Training;

/// <summary>Run folders and checkpoints written before the crop, augmentation and validation settings were nested still read back.</summary>
public class OlderRunFilesTests
{
    // The training part of a config.json as SoSeg wrote it when these settings were flat fields (from a demo run).
    const string OlderTraining = """
        "model": "unet", "modelOptions": { "base-width": "16" }, "epochs": 6, "batchSize": 4, "learningRate": 0.002,
        "minLearningRate": 1E-05, "warmupEpochs": 1, "weightDecay": 0.03, "beta1": 0.9, "beta2": 0.999, "precision": "Tf32",
        "channelsLast": false, "optimizer": "adamw", "cropSize": 256, "loss": "ce", "seed": 0, "folds": 1, "fold": 0,
        "validateEvery": 3, "stepsPerEpoch": 25, "augment": AUGMENT, "elastic": true, "scaleMode": "image", "scaleMin": 0.8,
        "scaleMax": 1.25, "selectBy": "fg-dice", "oversampleForeground": 0.25, "augmentations": { "blur": 0, "flip": 1 },
        "earlyStop": null, "loaderThreads": 1
        """;

    static TrainConfig ReadOlder(TempFolder folder, bool augment)
    {
        string path = folder.File($"config-{augment}.json");
        File.WriteAllText(path, $$"""
            { "data": "/data/sperm", "splits": null, "training": { {{OlderTraining.Replace("AUGMENT", augment ? "true" : "false")}} },
              "validation": { "windowSize": 640, "overlap": 0.25, "gaussianBlending": true, "flipTta": false, "windowBatch": 4 },
              "soSegVersion": "0.1.0" }
            """);
        return TrainConfig.Read(path);
    }

    [Fact]
    public void An_older_config_gives_the_augmentation_its_flat_fields_stood_for()
    {
        using var folder = new TempFolder();
        var config = ReadOlder(folder, augment: true);
        // What those fields meant, written out by hand: image-relative scale 0.8-1.25, elastic on, blur off, flip always.
        var expected = AugmentationOptions.Default with
        {
            CropSize = 256, RandomScale = true, ScaleRelativeToCrop = false, ScaleMin = 0.8, ScaleMax = 1.25,
            ElasticDeformation = true, GaussianBlur = false, BlurProbability = 0, HorizontalFlip = true, FlipProbability = 1, OversampleForeground = 0.25,
        };
        Assert.Equal(expected, config.Training.Augmentation);
        Assert.Equal((6, 25, "unet"), (config.Training.Epochs, config.Training.StepsPerEpoch, config.Training.Model));
        Assert.Equal(new SoSeg.Inference.PredictionOptions { WindowSize = 640, Overlap = 0.25 }, config.Training.Validation);
    }

    [Fact]
    public void An_older_config_without_augmentation_keeps_plain_crops_with_the_probabilities_on_top()
    {
        using var folder = new TempFolder();
        var augmentation = ReadOlder(folder, augment: false).Training.Augmentation;
        Assert.Equal(AugmentationOptions.CropOnly with { CropSize = 256, OversampleForeground = 0.25, HorizontalFlip = true, FlipProbability = 1, BlurProbability = 0 }, augmentation);
    }

    [Fact]
    public void A_config_written_now_reads_back_equal_and_without_the_older_fields()
    {
        using var folder = new TempFolder();
        var older = ReadOlder(folder, augment: true);
        string path = folder.File("rewritten.json");
        older.Write(path);
        string json = File.ReadAllText(path);
        foreach (var field in new[] { "\"cropSize\": 256", "\"augment\"", "\"scaleMode\"", "\"augmentations\"" })
            Assert.DoesNotContain(field, json.Split("\"augmentation\"")[0]);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(json, "\"validation\""));
        var again = TrainConfig.Read(path);
        Assert.Equal(older.Training.Augmentation, again.Training.Augmentation);
        Assert.Equal(older.Training.Validation, again.Training.Validation);
    }

    [Fact]
    public void An_older_checkpoint_gives_its_training_crop_as_the_prediction_window()
    {
        using var folder = new TempFolder();
        var model = ModelRegistry.Create("unet", 1, 2, ModelOptions.Parse(["base-width=4"]));
        string path = folder.File("old.ckpt");
        OlderCheckpointFile.Write(path, """{"format":"soseg-checkpoint/1","model":"unet","modelOptions":{"base-width":"4"},"inChannels":1,"numClasses":2,"classNames":["background","a"],"epoch":3,"cropSize":192}""", model);
        Assert.Equal(192, Checkpoint.ReadInfo(path).WindowSize);
        string resaved = folder.File("new.ckpt");
        Checkpoint.Save(resaved, model, Checkpoint.ReadInfo(path));
        Assert.Equal(192, Checkpoint.ReadInfo(resaved).WindowSize);
    }
}
