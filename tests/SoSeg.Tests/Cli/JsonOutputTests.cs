using System.Text.Json;
using SoSeg.Cli;
using SoSeg.Models;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using SoSeg.Checkpoints;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Cli;

/// <summary>
/// --json output is JSON only, with progress on: run as the real process does, stdout being Console.Out
/// (redirected to a writer here), so progress or notes sent to Console.Out would land in the JSON.
/// Sequential: no other test may write to Console.Out meanwhile.
/// </summary>
[Collection(SequentialCollection.Name)]
public class JsonOutputTests
{
    static (int Code, string Out, string Err) RunOnConsole(params string[] args)
    {
        var previous = Console.Out;
        var captured = new StringWriter();
        var error = new StringWriter();
        Console.SetOut(captured);
        try
        {
            int code = SosegCli.Run(args, Console.Out, error);
            Console.Out.Flush();
            return (code, captured.ToString(), error.ToString());
        }
        finally { Console.SetOut(previous); }
    }

    [Fact]
    public void Evaluate_json_prints_only_json_on_stdout_with_progress_and_notes_on_stderr()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 2, test: 2);
        // A run with only last.ckpt: choosing it prints a note.
        var run = new RunFolder(Path.Combine(folder.Path, "run"));
        Directory.CreateDirectory(run.CheckpointFolder);
        using (var model = ModelRegistry.Create("unet", 1, 2, ModelOptions.Parse(["base-width=4"])))
            Checkpoint.Save(run.LastCheckpoint, model, new CheckpointInfo
            {
                Model = "unet", ModelOptions = new() { ["base-width"] = "4" }, InChannels = 1, NumClasses = 2,
                ClassNames = ["background", "spot"], LabelValues = [0, 1], WindowSize = 32,
            });

        var fromModel = RunOnConsole("evaluate", "--checkpoint", run.Folder, "--data", data, "--json", "--device", "cpu",
                                     "--out", Path.Combine(folder.Path, "eval-model"));
        Assert.True(fromModel.Code == 0, fromModel.Err);
        using (var json = JsonDocument.Parse(fromModel.Out))
            Assert.Equal(2, json.RootElement.GetProperty("imageCount").GetInt32());
        Assert.Contains("no validation cases", fromModel.Err);
        Assert.Contains("evaluate unet on 2 test images", fromModel.Err);

        var fromMasks = RunOnConsole("evaluate", "--predictions", Path.Combine(data, "labelsTs"), "--data", data, "--json", "--device", "cpu",
                                     "--out", Path.Combine(folder.Path, "eval-masks"));
        Assert.True(fromMasks.Code == 0, fromMasks.Err);
        using (var json = JsonDocument.Parse(fromMasks.Out))
            Assert.Equal(2, json.RootElement.GetProperty("imageCount").GetInt32());
        Assert.Contains("evaluate 2 test images", fromMasks.Err);
    }
}
