using SoSeg.Models;
using SoSeg.Runtime;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Tests.Training;

public class CheckpointTests
{
    static CheckpointInfo Info => new()
    {
        Model = "unet", ModelOptions = new() { ["base-width"] = "4" }, InChannels = 1, NumClasses = 3,
        ClassNames = ["background", "a", "b"], LabelValues = [0, 1, 2], Epoch = 5, CropSize = 64,
    };

    [Fact]
    public void Round_trip_rebuilds_the_model_with_identical_outputs()
    {
        using var folder = new TempFolder();
        var model = ModelRegistry.Create("unet", 1, 3, ModelOptions.Parse(["base-width=4"]));
        model.eval();
        string path = folder.File("m.ckpt");
        Checkpoint.Save(path, model, Info);
        var (loaded, info) = Checkpoint.LoadModel(path, TorchRuntime.Resolve(DeviceSpec.Cpu));
        Assert.Equal(5, info.Epoch);
        Assert.Equal(["background", "a", "b"], info.ClassNames);
        using var x = torch.rand(1, 1, 32, 48);
        using var expected = model.call(x);
        using var actual = loaded.call(x);
        Assert.True(expected.allclose(actual, rtol: 0, atol: 0));
    }

    [Fact]
    public void Damaged_or_foreign_files_give_errors_naming_the_file()
    {
        using var folder = new TempFolder();
        string garbage = folder.File("garbage.ckpt");
        File.WriteAllText(garbage, "not a zip");
        var error = Assert.Throws<SoSegException>(() => Checkpoint.ReadInfo(garbage));
        Assert.Contains(garbage, error.Message);

        var model = ModelRegistry.Create("unet", 1, 3, ModelOptions.Parse(["base-width=4"]));
        string path = folder.File("m.ckpt");
        Checkpoint.Save(path, model, Info);
        var truncated = folder.File("truncated.ckpt");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Throws<SoSegException>(() => Checkpoint.LoadModel(truncated, TorchRuntime.Resolve(DeviceSpec.Cpu)));

        var other = ModelRegistry.Create("unet", 1, 3, ModelOptions.Parse(["base-width=8"]));
        var mismatch = Assert.Throws<SoSegException>(() => Checkpoint.LoadWeights(path, other));
        Assert.Contains("do not fit", mismatch.Message);
        Assert.Throws<SoSegException>(() => Checkpoint.LoadOptimizer(path, optim.AdamW(other.parameters())));
    }
}
