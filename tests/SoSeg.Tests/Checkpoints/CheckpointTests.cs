using SoSeg.Models;
using SoSeg.Runtime;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Checkpoints;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Checkpoints;

public class CheckpointTests
{
    static CheckpointInfo Info => new()
    {
        Model = "unet", ModelOptions = new() { ["base-width"] = "4" }, InChannels = 1, NumClasses = 3,
        ClassNames = ["background", "a", "b"], LabelValues = [0, 1, 2], Epoch = 5, WindowSize = 64,
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

    [Fact]
    public void A_run_folder_gives_its_best_checkpoint_else_its_last_and_a_bare_folder_is_named()
    {
        using var folder = new TempFolder();
        var model = ModelRegistry.Create("unet", 1, 3, ModelOptions.Parse(["base-width=4"]));
        var run = new RunFolder(folder.File("run"));
        Assert.Contains("no checkpoints yet", Assert.Throws<SoSegException>(() => run.ChooseCheckpoint()).Message);

        Directory.CreateDirectory(run.CheckpointFolder);
        Checkpoint.Save(run.LastCheckpoint, model, Info);
        var log = new StringWriter();
        Assert.Equal(run.LastCheckpoint, RunFolder.CheckpointOf(run.Folder, log));
        Assert.Contains("no validation cases", log.ToString());

        Checkpoint.Save(run.BestCheckpoint, model, Info);
        Assert.Equal(run.BestCheckpoint, RunFolder.CheckpointOf(run.Folder));
        Assert.Equal(run.LastCheckpoint, run.ChooseCheckpoint("last"));
        Assert.Equal(run.BestCheckpoint, RunFolder.CheckpointOf(run.BestCheckpoint));

        var error = Assert.Throws<SoSegException>(() => Checkpoint.LoadModel(run.CheckpointFolder, TorchRuntime.Resolve(DeviceSpec.Cpu)));
        Assert.StartsWith(run.CheckpointFolder + ": is a folder", error.Message);
    }

    [Fact]
    public void One_flipped_byte_anywhere_in_the_tensors_is_refused_on_every_read_naming_the_file()
    {
        using var folder = new TempFolder();
        var model = ModelRegistry.Create("unet", 1, 3, ModelOptions.Parse(["base-width=4"]));
        using var optimizer = optim.AdamW(model.parameters());
        string path = folder.File("last.ckpt");
        Checkpoint.Save(path, model, Info, optimizer);
        var device = TorchRuntime.Resolve(DeviceSpec.Cpu);
        byte[] good = File.ReadAllBytes(path);

        // The middle of the file (the model weights here) and three quarters in (the optimizer state).
        foreach (double at in new[] { 0.5, 0.75 })
        {
            byte[] bad = (byte[])good.Clone();
            bad[(int)(bad.Length * at)] ^= 0x01;
            File.WriteAllBytes(path, bad);
            foreach (Action read in new Action[]
                     {
                         () => Checkpoint.LoadModel(path, device), () => Checkpoint.ReadInfo(path),
                         () => Checkpoint.LoadWeights(path, model), () => Checkpoint.LoadOptimizer(path, optimizer),
                     })
            {
                var error = Assert.Throws<SoSegException>(read);
                Assert.StartsWith(path + ": ", error.Message);
                Assert.Contains("damaged", error.Message);
            }
        }
        File.WriteAllBytes(path, good);
        Assert.False(Checkpoint.ReadInfo(path).Unverified);
        Checkpoint.LoadOptimizer(path, optimizer);
    }

    [Fact]
    public void A_checkpoint_of_the_format_without_checksums_still_loads_and_says_it_is_unverified()
    {
        using var folder = new TempFolder();
        var model = ModelRegistry.Create("unet", 1, 3, ModelOptions.Parse(["base-width=4"]));
        model.eval();
        string path = folder.File("old.ckpt");
        OlderCheckpointFile.Write(path, """{"format":"soseg-checkpoint/1","model":"unet","modelOptions":{"base-width":"4"},"inChannels":1,"numClasses":3,"classNames":["background","a","b"],"epoch":7}""", model);
        var (loaded, info) = Checkpoint.LoadModel(path, TorchRuntime.Resolve(DeviceSpec.Cpu));
        Assert.True(info.Unverified);
        Assert.Equal(7, info.Epoch);
        Assert.Contains("without checksums", CheckpointInfo.UnverifiedNote(path));
        using var x = torch.rand(1, 1, 32, 32);
        Assert.True(model.call(x).equal(loaded.call(x)).all().item<bool>());
    }

    [Fact]
    public void The_epoch_records_travel_with_the_checkpoint()
    {
        using var folder = new TempFolder();
        var model = ModelRegistry.Create("unet", 1, 3, ModelOptions.Parse(["base-width=4"]));
        string path = folder.File("last.ckpt");
        var record = new EpochRecord
        {
            Epoch = 1, Steps = 3, TrainLoss = 0.123456789, LearningRate = 1e-3, Seconds = 2, ImagesPerSecond = 4, RssMegabytes = 100,
            Validation = new Dictionary<string, double> { ["mDice"] = 0.5, ["precision"] = double.NaN },
        };
        Checkpoint.Save(path, model, Info with { Epochs = [record] });
        var back = Assert.Single(Checkpoint.ReadInfo(path).Epochs!);
        Assert.Equal(0.123456789, back.TrainLoss);
        Assert.Equal(0.5, back.Validation["mDice"]);
        Assert.True(double.IsNaN(back.Validation["precision"]));
    }
}
