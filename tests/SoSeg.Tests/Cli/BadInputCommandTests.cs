using SoSeg.Augmentation;
using System.Diagnostics;
using SoSeg.Data.Images;
using SoSeg.Models;
using SoSeg.Runtime;
using SoSeg.Tests.Data.Datasets;
using SoSeg.Tests.Data.Images;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using SoSeg.Checkpoints;
using SoSeg.App.Training;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Cli;

/// <summary>
/// A careless or hostile user's input: each case fails at once with exit code 1 and one line naming the
/// file or option, leaves nothing behind, and never shows an exception type or native frames.
/// </summary>
public class BadInputCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.RunSoseg(args);

    static readonly string[] TinyRecipe =
        ["--model", "unet", "--model-option", "base-width=4", "--epochs", "1", "--batch", "2", "--crop", "32", "--val-window", "64", "--no-progress", "--device", "cpu"];

    /// <summary>One line on stderr, naming <paramref name="named"/>, and none of the signs of an unhandled failure.</summary>
    static void OneLineError((int Code, string Out, string Err) result, string named)
    {
        Assert.True(result.Code == 1, $"exit {result.Code}\n{result.Out}\n{result.Err}");
        string line = Assert.Single(result.Err.Trim().Split('\n'));
        Assert.StartsWith("error: ", line);
        Assert.Contains(named, line);
        Assert.DoesNotContain("unexpected", line);
        Assert.DoesNotContain("Exception", result.Err);
        Assert.DoesNotContain("frame #", result.Err + result.Out);
    }

    /// <summary>An untrained one-channel U-Net checkpoint (crop 32).</summary>
    static string GreyCheckpoint(TempFolder temp)
    {
        using var model = ModelRegistry.Create("unet", 1, 2, ModelOptions.Parse(["base-width=4"]));
        string path = temp.File("model.ckpt");
        Checkpoint.Save(path, model, new CheckpointInfo
        {
            Model = "unet", ModelOptions = new() { ["base-width"] = "4" }, InChannels = 1, NumClasses = 2,
            ClassNames = ["background", "spot"], LabelValues = [0, 1], WindowSize = 32,
        });
        return path;
    }

    [Theory]
    [InlineData(5)]
    [InlineData(50)]
    [InlineData(90)]
    public void Predict_refuses_a_cut_progressive_jpeg(int percent)
    {
        using var temp = new TempFolder();
        string checkpoint = GreyCheckpoint(temp);
        File.Copy(DecodeLimitTests.ProgressiveJpeg, temp.File("in/a_whole.jpg"));
        string cut = DecodeLimitTests.CutProgressiveJpeg(temp.File($"in/b_cut{percent}.jpg"), percent);
        string output = Path.Combine(temp.Path, "out");
        var result = Run("predict", "--checkpoint", checkpoint, "--input", temp.File("in"), "--out", output, "--no-progress", "--device", "cpu");
        OneLineError(result, cut);
        Assert.Contains("truncated", result.Err);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFiles(output).Any(), "no mask is written when an input is refused");
    }

    [Fact]
    public void Predict_refuses_a_png_declaring_60000_by_60000_pixels()
    {
        using var temp = new TempFolder();
        string huge = TestFiles.HeaderOnlyPng(temp.File("in/huge.png"), 60000, 60000);
        var result = Run("predict", "--checkpoint", GreyCheckpoint(temp), "--input", temp.File("in"), "--out", Path.Combine(temp.Path, "out"),
                         "--no-progress", "--device", "cpu");
        OneLineError(result, huge);
        Assert.Contains("60000 x 60000", result.Err);
    }

    [Fact]
    public void Predict_refuses_a_window_the_memory_cannot_hold()
    {
        using var temp = new TempFolder();
        TestFiles.Grey(temp.File("in/a.png"), 40, 40);
        var result = Run("predict", "--checkpoint", GreyCheckpoint(temp), "--input", temp.File("in"), "--out", Path.Combine(temp.Path, "out"),
                         "--window", "1000000", "--no-progress", "--device", "cpu");
        OneLineError(result, "--window 1000000");
        Assert.Contains("estimate", result.Err);
    }

    [Fact]
    public void Train_refuses_a_crop_the_memory_cannot_hold_before_creating_anything()
    {
        using var temp = new TempFolder();
        string data = TinySpotDataset.Write(temp.File("data"), train: 4, test: 1);
        string run = Path.Combine(temp.Path, "run");
        var result = Run(["train", "--data", data, "--out", run, .. TinyRecipe.Select(a => a == "32" ? "40000" : a)]);
        OneLineError(result, "--crop 40000");
        Assert.Contains("estimate", result.Err);
        Assert.Contains("available", result.Err);
        Assert.False(Directory.Exists(run));

        var tinyWindow = Run(["train", "--data", data, "--out", run, .. TinyRecipe.Select(a => a == "64" ? "4" : a)]);
        OneLineError(tinyWindow, "--val-window");
        Assert.False(Directory.Exists(run));
    }

    [Theory]
    [InlineData("--lr", "Infinity")]
    [InlineData("--weight-decay", "NaN")]
    [InlineData("--min-lr", "-Infinity")]
    [InlineData("--warmup-epochs", "NaN")]
    [InlineData("--val-fraction", "NaN")]
    [InlineData("--scale-range", "0.5 Infinity")]
    public void Train_refuses_a_number_that_is_not_finite_naming_the_option(string option, string value)
    {
        using var temp = new TempFolder();
        string data = TinySpotDataset.Write(temp.File("data"), train: 4, test: 1);
        string run = Path.Combine(temp.Path, "run");
        var result = Run(["train", "--data", data, "--out", run, .. TinyRecipe, option, .. value.Split(' ')]);
        OneLineError(result, option);
        Assert.False(Directory.Exists(run), "no stray run folder");
        Assert.False(File.Exists(Path.Combine(data, "splits_final.json")), "no split written");
    }

    [Theory]
    [InlineData("sharpen=0.5", "flip")]
    [InlineData("blur", "NAME=P")]
    [InlineData("blur=2", "[0, 1]")]
    public void Train_refuses_a_bad_augmentation_naming_the_option(string value, string named)
    {
        using var temp = new TempFolder();
        string data = TinySpotDataset.Write(temp.File("data"), train: 4, test: 1);
        string run = Path.Combine(temp.Path, "run");
        var result = Run(["train", "--data", data, "--out", run, .. TinyRecipe, "--augmentation", value]);
        OneLineError(result, "--augmentation");
        Assert.Contains(named, result.Err);
        Assert.False(Directory.Exists(run), "no stray run folder");
    }

    [Theory]
    [InlineData("stats", "--test-fraction")]
    [InlineData("evaluate", "--overlap")]
    [InlineData("evaluate", "--detection-iou")]
    [InlineData("compare", "--lr")]
    public void Every_command_refuses_non_finite_numbers(string command, string option)
    {
        string[] args = command switch
        {
            "stats" => ["stats", "/nowhere"],
            "evaluate" => ["evaluate", "--predictions", "/nowhere", "--data", "/nowhere", "--device", "cpu"],
            _ => ["compare", "--data", "/nowhere", "--models", "unet", "--out", "/nowhere/report", "--device", "cpu"],
        };
        OneLineError(Run([.. args, option, "NaN"]), option);
    }

    [Fact]
    public void Library_validation_refuses_non_finite_learning_rate_and_weight_decay()
    {
        Assert.Contains("--lr", SoSeg.Cli.SettingFlags.Describe(Assert.Throws<ArgumentException>(() => new TrainingOptions { Model = "unet", LearningRate = double.PositiveInfinity }.Validate())));
        Assert.Contains("--weight-decay", SoSeg.Cli.SettingFlags.Describe(Assert.Throws<ArgumentException>(() => new TrainingOptions { Model = "unet", WeightDecay = double.NaN }.Validate())));
        Assert.Contains("--scale-range", SoSeg.Cli.SettingFlags.Describe(Assert.Throws<ArgumentException>(() => new TrainingOptions { Model = "unet", Augmentation = AugmentationOptions.Default with { ScaleMax = double.NaN } }.Validate())));
    }

    [Fact]
    public void Train_and_stats_refuse_a_dataset_with_bad_files_listing_each_and_writing_nothing()
    {
        using var temp = new TempFolder();
        string data = TinySpotDataset.Write(temp.File("data"), train: 5, test: 1);
        string truncated = Path.Combine(data, "imagesTr", "spot_001_0000.png");
        var bytes = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        string huge = TestFiles.HeaderOnlyPng(Path.Combine(data, "imagesTr", "spot_003_0000.png"), 60000, 60000);
        string badLabels = Path.Combine(data, "labelsTr", "spot_004.png");
        ImageWriter.WriteMask(badLabels, TestFiles.Rectangle(40, 40, 0, 4, 0, 4, 7), 40, 40);
        var before = Directory.GetFiles(data, "*", SearchOption.AllDirectories).Order().ToArray();

        var verify = Run("verify", data, "--no-progress");
        Assert.Equal(1, verify.Code);
        foreach (var file in new[] { truncated, huge, badLabels }) Assert.Contains(file, verify.Out);
        Assert.Contains("3 problem(s)", verify.Out);

        string run = Path.Combine(temp.Path, "run");
        var train = Run(["train", "--data", data, "--out", run, .. TinyRecipe]);
        Assert.Equal(1, train.Code);
        foreach (var file in new[] { truncated, huge, badLabels }) Assert.Contains(file, train.Err);
        Assert.DoesNotContain("unexpected", train.Err);
        Assert.False(Directory.Exists(run));

        var stats = Run("stats", data, "--no-progress");
        Assert.Equal(1, stats.Code);
        Assert.Contains(huge, stats.Err);

        string report = Path.Combine(temp.Path, "report");
        var compare = Run(["compare", "--data", data, "--models", "unet", "--seeds", "1", "--out", report, "--model-option", "unet:base-width=4",
                           "--epochs", "1", "--crop", "32", "--no-progress", "--device", "cpu"]);
        Assert.Equal(1, compare.Code);
        Assert.Contains(truncated, compare.Err);
        Assert.False(Directory.Exists(report));
        Assert.Equal(before, Directory.GetFiles(data, "*", SearchOption.AllDirectories).Order().ToArray());
    }

    [Fact]
    public void Train_refuses_a_dataset_with_one_image_of_the_wrong_channel_count_in_one_line_before_creating_anything()
    {
        using var temp = new TempFolder();
        string data = TinySpotDataset.Write(temp.File("data"), train: 5, test: 1);
        string colour = Path.Combine(data, "imagesTr", "spot_002_0000.png");
        TestFiles.Rgb(colour, 40, 40);
        string run = Path.Combine(temp.Path, "run");
        var result = Run(["train", "--data", data, "--out", run, .. TinyRecipe]);
        OneLineError(result, colour);
        Assert.Contains("3 channel(s)", result.Err);
        Assert.False(Directory.Exists(run));
        Assert.False(File.Exists(Path.Combine(data, "splits_final.json")));
    }

    [Fact]
    public void Verify_passes_a_clean_dataset_and_answers_from_its_cache_the_second_time()
    {
        using var temp = new TempFolder();
        string data = TinySpotDataset.Write(temp.File("data"), train: 3, test: 1);
        // A cache of its own: another test class may point the user's cache folder elsewhere meanwhile.
        var verify = SoSeg.Cli.Commands.VerifyCommand.Create(new SoSeg.Data.Verification.VerificationCache(Path.Combine(temp.Path, "cache")));
        var first = CliHarness.Run(verify, "verify", data, "--json", "--no-progress");
        Assert.True(first.Code == 0, first.Err + first.Out);
        Assert.Contains("\"decoded\": 4", first.Out);
        var second = CliHarness.Run(verify, "verify", data, "--no-progress");
        Assert.Equal(0, second.Code);
        Assert.Contains("0 case(s) decoded, 4 unchanged", second.Out);
        Assert.Contains("no problems", second.Out);
    }

    [Fact]
    public void Train_with_splits_uses_the_given_file_and_writes_nothing_into_the_dataset()
    {
        using var temp = new TempFolder();
        string data = TinySpotDataset.Write(temp.File("data"), train: 5, test: 1);
        string splits = temp.File("my-splits.json");
        string given = """
            [ { "train": ["spot_000", "spot_001", "spot_002", "spot_003"], "val": ["spot_004"] } ]
            """;
        File.WriteAllText(splits, given);
        var before = Directory.GetFiles(data, "*", SearchOption.AllDirectories).Order().ToArray();
        string run = Path.Combine(temp.Path, "run");
        var result = Run(["train", "--data", data, "--out", run, "--splits", splits, .. TinyRecipe]);
        Assert.True(result.Code == 0, result.Err + result.Out);
        Assert.Contains("4 training, 1 validation", result.Out);
        Assert.Equal(File.ReadAllText(splits), File.ReadAllText(Path.Combine(run, "splits.json")));
        Assert.Equal(before, Directory.GetFiles(data, "*", SearchOption.AllDirectories).Order().ToArray());

        var missing = Run(["train", "--data", data, "--out", Path.Combine(temp.Path, "run2"), "--splits", temp.File("none.json"), .. TinyRecipe]);
        OneLineError(missing, "none.json");
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "run2")));
        File.WriteAllText(splits, """[ { "train": ["spot_000", "nobody"], "val": ["spot_004"] } ]""");
        var wrong = Run(["train", "--data", data, "--out", Path.Combine(temp.Path, "run3"), "--splits", splits, .. TinyRecipe]);
        OneLineError(wrong, splits);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "run3")));
    }

    [Fact]
    public void A_read_only_dataset_keeps_its_split_in_the_run_folder_and_resume_uses_it()
    {
        using var temp = new TempFolder();
        string data = TinySpotDataset.Write(temp.File("data"), train: 5, test: 1);
        var before = Directory.GetFiles(data, "*", SearchOption.AllDirectories).Order().ToArray();
        var run = new RunFolder(Path.Combine(temp.Path, "run"));
        var config = new TrainConfig
        {
            Data = data,
            Training = new TrainingOptions { Model = "unet", ModelOptions = new() { ["base-width"] = "4" }, Epochs = 1, BatchSize = 2,
                                             Augmentation = AugmentationOptions.Default with { CropSize = 32 }, Validation = new SoSeg.Inference.PredictionOptions { WindowSize = 64 } },
        };
        var log = new StringWriter();
        var cpu = TorchRuntime.Resolve(DeviceSpec.Cpu);
        var progress = new SoSeg.App.Terminal.Progress(disabled: true, plainOut: TextWriter.Null);
        var asked = new List<string>();
        TrainingSession.Start(config, run, cpu, progress, log, isWritable: folder => { asked.Add(folder); return false; });
        Assert.Equal([data], asked);
        Assert.Contains("read-only", log.ToString());
        Assert.True(File.Exists(run.Splits));
        Assert.Equal(before, Directory.GetFiles(data, "*", SearchOption.AllDirectories).Order().ToArray());
        // Resume (all epochs done) reads the kept split; the dataset still gets nothing.
        var resumed = TrainingSession.Resume(run, cpu, progress, new StringWriter());
        Assert.False(resumed.Interrupted);
        Assert.Equal(before, Directory.GetFiles(data, "*", SearchOption.AllDirectories).Order().ToArray());
    }

    /// <summary>
    /// The real thing where the system allows it: the dataset bind-mounted read-only in a user namespace
    /// (`unshare -rm`), where even root cannot write, and `soseg train` run inside it.
    /// </summary>
    [Fact]
    public void Train_on_a_read_only_mounted_dataset_when_the_system_allows_one()
    {
        using var temp = new TempFolder();
        string data = TinySpotDataset.Write(temp.File("data"), train: 4, test: 1);
        string run = Path.Combine(temp.Path, "run");
        string soseg = Path.Combine(AppContext.BaseDirectory, "soseg.dll");
        string script = $"mount --bind -o ro '{data}' '{data}' || exit 77; touch '{data}/probe' 2>/dev/null && exit 77; " +
                        $"exec dotnet '{soseg}' train --data '{data}' --out '{run}' {string.Join(' ', TinyRecipe)}";
        var start = new ProcessStartInfo("unshare", ["-rm", "sh", "-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception) { return; } // no unshare: the injected check above covers the logic
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode == 77 || (process.ExitCode != 0 && stderr.Result.Contains("unshare"))) return; // no read-only mount possible here
            Assert.True(process.ExitCode == 0, stdout.Result + stderr.Result);
            Assert.Contains("read-only", stdout.Result);
        }
        Assert.True(File.Exists(Path.Combine(run, "splits.json")));
        Assert.False(File.Exists(Path.Combine(data, "splits_final.json")));
    }

    [Fact]
    public void A_model_option_that_is_not_a_finite_number_is_refused_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelRegistry.Create("unetpp", 1, 2, ModelOptions.Parse(["dropout=NaN"])));
        Assert.Contains("dropout=NaN", error.Message);
    }

    [Fact]
    public void An_atlas_case_number_too_large_for_a_number_is_named()
    {
        using var temp = new TempFolder();
        TestFiles.Volume(temp.File("a/imagesTr/im99999999999.nii.gz"), new float[8], 2, 2, 2);
        TestFiles.Labels(temp.File("a/labelsTr/lb99999999999.nii.gz"), new byte[8], 2, 2, 2);
        var error = Assert.Throws<SoSegException>(() => SoSeg.Data.Datasets.SegmentationDataset.Open(temp.File("a")));
        Assert.Contains("im99999999999.nii.gz", error.Message);
    }

    [Fact]
    public void A_libtorch_allocation_failure_is_one_line_without_native_frames()
    {
        var error = new StringWriter();
        int code = SoSeg.Cli.CommandErrors.Report(new System.Runtime.InteropServices.ExternalException(
            "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate 38400000000 bytes.\n" +
            "frame #0: c10::ThrowEnforceNotMet(char const*, int)\nframe #1: c10::alloc_cpu(unsigned long)"), error);
        Assert.Equal(1, code);
        string line = Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.Contains("ran out of memory", line);
        Assert.Contains("--crop", line);
        Assert.DoesNotContain("frame #", line);

        var unexpected = new StringWriter();
        Assert.Equal(2, SoSeg.Cli.CommandErrors.Report(new InvalidOperationException("first line\nframe #0: native"), unexpected));
        Assert.DoesNotContain("frame #", unexpected.ToString());
    }

    [Fact]
    public void Bench_refuses_a_size_and_batch_the_memory_cannot_hold()
    {
        var result = Run("bench", "--model", "unet", "--model-option", "base-width=4", "--size", "16384", "--batch", "64", "--steps", "1", "--warmup", "0",
                         "--no-progress", "--device", "cpu");
        OneLineError(result, "--size 16384 with --batch 64");
        Assert.Contains("estimate", result.Err);
        OneLineError(Run("bench", "--model", "unet", "--size", "40000", "--device", "cpu"), "--size 40000");
    }
}
