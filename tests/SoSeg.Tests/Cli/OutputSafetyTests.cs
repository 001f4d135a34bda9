using SoSeg.IO;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Cli;

/// <summary>No command writes into a folder it reads or over files SoSeg did not make; damaged checkpoints are refused.</summary>
public class OutputSafetyTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.RunSoseg(args);

    static readonly string[] TinyRecipe =
        ["--model", "unet", "--model-option", "base-width=4", "--epochs", "1", "--batch", "2", "--crop", "32", "--val-window", "64",
         "--no-progress", "--device", "cpu"];

    static Dictionary<string, string> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => f, f => Convert.ToHexString(File.ReadAllBytes(f)));

    static void AssertOneLineError((int Code, string Out, string Err) result, string startsWith)
    {
        Assert.True(result.Code == 1, result.Err + result.Out);
        Assert.Single(result.Err.Trim().Split('\n'));
        Assert.True(result.Err.StartsWith("error: " + startsWith, StringComparison.Ordinal), result.Err);
    }

    [Fact]
    public void Train_refuses_a_users_folder_holding_splits_and_a_checkpoint_and_touches_nothing_unless_forced()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 4, test: 1);
        string mine = Path.Combine(folder.Path, "mine");
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(mine).FullName, "splits.json"), """{"my":"split"}""");
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(mine, "checkpoints")).FullName, "best.ckpt"), "my weights");
        var before = Snapshot(mine);

        var refused = Run(["train", "--data", data, "--out", mine, .. TinyRecipe]);
        AssertOneLineError(refused, mine + ": the folder is not empty and was not made by SoSeg");
        Assert.Contains("--force", refused.Err);
        Assert.Equal(before, Snapshot(mine));
        Assert.Equal(before.Keys.Order(), Directory.GetFiles(mine, "*", SearchOption.AllDirectories).Order());

        var inside = Run(["train", "--data", data, "--out", Path.Combine(data, "run"), .. TinyRecipe]);
        AssertOneLineError(inside, Path.Combine(data, "run") + ": is inside " + data);
        Assert.False(Directory.Exists(Path.Combine(data, "run")));

        var forced = Run(["train", "--data", data, "--out", mine, "--force", .. TinyRecipe]);
        Assert.True(forced.Code == 0, forced.Err);
        Assert.Equal(OutputKind.Run, OutputFolder.ReadMarker(mine)!.Kind);
    }

    [Fact]
    public void Predict_never_writes_masks_over_its_inputs_and_reuses_only_its_own_folders_and_evaluate_compare_demo_refuse_foreign_folders()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 4, test: 1);
        string run = Path.Combine(folder.Path, "run");
        var train = Run(["train", "--data", data, "--out", run, .. TinyRecipe]);
        Assert.True(train.Code == 0, train.Err);

        // Images named like their masks: a.png's mask is a.png.
        string images = Directory.CreateDirectory(Path.Combine(folder.Path, "images")).FullName;
        File.Copy(Path.Combine(data, "imagesTs", "spot_004_0000.png"), Path.Combine(images, "frame.png"));
        var before = Snapshot(images);
        string[] predict = ["predict", "--checkpoint", run, "--input", images, "--no-progress", "--device", "cpu"];

        AssertOneLineError(Run([.. predict, "--out", images]), images + ": is also an input of soseg predict");
        AssertOneLineError(Run([.. predict, "--out", images + "/"]), images + "/: is also an input of soseg predict");
        AssertOneLineError(Run([.. predict, "--out", Path.Combine(images, "masks")]), Path.Combine(images, "masks") + ": is inside " + images);
        AssertOneLineError(Run([.. predict, "--out", images, "--force"]), Path.Combine(images, "frame.png") + ": is an input of soseg predict");
        Assert.Equal(before, Snapshot(images));

        string predictions = Path.Combine(folder.Path, "predictions");
        Assert.Equal(0, Run([.. predict, "--out", predictions]).Code);
        Assert.Equal(0, Run([.. predict, "--out", predictions]).Code); // its own folder: written again
        Assert.True(File.Exists(Path.Combine(predictions, "frame.png")));

        string notes = Path.Combine(folder.Path, "notes");
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(notes).FullName, "todo.txt"), "mine");
        string noteRefusal = notes + ": the folder is not empty and was not made by SoSeg";
        AssertOneLineError(Run([.. predict, "--out", notes]), noteRefusal);
        AssertOneLineError(Run("evaluate", "--run", run, "--out", notes, "--no-progress", "--device", "cpu"), noteRefusal);
        // The run's chosen checkpoint (best.ckpt, or last.ckpt when the tiny run kept no best) lies in checkpoints/.
        AssertOneLineError(Run("evaluate", "--run", run, "--out", run, "--no-progress", "--device", "cpu"), run + ": contains " + Path.Combine(run, "checkpoints") + "/");
        AssertOneLineError(Run("compare", "--data", data, "--models", "unet", "--out", notes, "--no-progress", "--device", "cpu"), noteRefusal);
        AssertOneLineError(Run("demo", "--out", notes, "--no-progress", "--device", "cpu"), noteRefusal);
        AssertOneLineError(Run("predict", "--checkpoint", run, "--input", images, "--out", run, "--no-progress", "--device", "cpu"), run + ": contains " + Path.Combine(run, "checkpoints") + "/");
        Assert.Equal(["todo.txt"], Directory.GetFiles(notes).Select(Path.GetFileName));
    }

    [Fact]
    public void A_checkpoint_with_one_flipped_byte_is_refused_by_predict_and_evaluate()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 4, test: 1);
        string run = Path.Combine(folder.Path, "run");
        var train = Run(["train", "--data", data, "--out", run, .. TinyRecipe]);
        Assert.True(train.Code == 0, train.Err);
        // last.ckpt: a tiny run need not keep a best.ckpt (no epoch may find foreground), but always writes last.
        string last = Path.Combine(run, "checkpoints", "last.ckpt");
        byte[] bytes = File.ReadAllBytes(last);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(last, bytes);

        string predictions = Path.Combine(folder.Path, "predictions");
        AssertOneLineError(Run("predict", "--checkpoint", last, "--input", Path.Combine(data, "imagesTs"), "--out", predictions, "--no-progress", "--device", "cpu"),
                           last + ": the checkpoint is damaged");
        Assert.False(Directory.Exists(predictions));
        AssertOneLineError(Run("evaluate", "--run", run, "--which", "last", "--no-progress", "--device", "cpu"), last + ": the checkpoint is damaged");
    }
}
