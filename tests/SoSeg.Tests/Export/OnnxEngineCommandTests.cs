using System.Text.Json;
using SoSeg.Data.Images;
using SoSeg.Tests.Cli;
using SoSeg.Tests.Models;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using static TorchSharp.torch;
using SoSeg.Checkpoints;

namespace SoSeg.Tests.Export;

/// <summary>
/// soseg export, and predict / evaluate with --engine onnx, end to end for every registered model: a
/// checkpoint of a small instance (batch norms set to the dataset's statistics) is exported, and ONNX
/// Runtime's evaluation, and the masks predict writes with it, score the same as TorchSharp's to the
/// fourth decimal (rates within 1e-4), through the shared preprocessing, sliding window (images larger than the crop) and flip TTA.
/// </summary>
public class OnnxEngineCommandTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.RunSoseg(args);

    [Theory]
    [MemberData(nameof(RegisteredModels.Names), MemberType = typeof(RegisteredModels))]
    public void Onnx_engine_scores_like_the_torch_engine(string name)
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 1, test: 3, size: 90);
        string checkpoint = WriteCheckpoint(name, data, Path.Combine(folder.Path, "model.ckpt"));
        string onnx = Path.Combine(folder.Path, "model.onnx");

        var export = Run("export", "--checkpoint", checkpoint, "--out", onnx);
        Assert.True(export.Code == 0, export.Err);
        Assert.Contains("opset 17", export.Out);

        string[] common = ["--data", data, "--tta", "--json", "--no-progress", "--device", "cpu"];
        var torchRun = Run(["evaluate", "--checkpoint", checkpoint, "--out", Path.Combine(folder.Path, "eval-torch"), .. common]);
        Assert.True(torchRun.Code == 0, torchRun.Err);
        var onnxRun = Run(["evaluate", "--checkpoint", onnx, "--engine", "onnx", "--out", Path.Combine(folder.Path, "eval-onnx"), .. common]);
        Assert.True(onnxRun.Code == 0, onnxRun.Err);
        AssertSameMetrics(Path.Combine(folder.Path, "eval-torch", "metrics.json"), Path.Combine(folder.Path, "eval-onnx", "metrics.json"));

        // predict with nothing but the .onnx file; its masks score as TorchSharp's evaluation.
        string masks = Path.Combine(folder.Path, "masks");
        var predict = Run("predict", "--checkpoint", onnx, "--engine", "onnx", "--input", Path.Combine(data, "imagesTs"), "--out", masks,
                          "--tta", "--no-progress", "--device", "cpu");
        Assert.True(predict.Code == 0, predict.Err);
        Assert.Contains("3 prediction(s)", predict.Out);
        var scored = Run("evaluate", "--predictions", masks, "--data", data, "--out", Path.Combine(folder.Path, "eval-masks"), "--json", "--no-progress");
        Assert.True(scored.Code == 0, scored.Err);
        AssertSameMetrics(Path.Combine(folder.Path, "eval-torch", "metrics.json"), Path.Combine(folder.Path, "eval-masks", "metrics.json"),
                          skipContinuousMaps: true);
        output.WriteLine($"{name}: all-objects mDice / mIoU / MAE  torch {Summary(Path.Combine(folder.Path, "eval-torch"))}  " +
                         $"onnx {Summary(Path.Combine(folder.Path, "eval-onnx"))}  onnx predict masks {Summary(Path.Combine(folder.Path, "eval-masks"))}");
    }

    [Fact]
    public void A_checkpoint_runs_in_onnx_runtime_without_an_export_step_and_bad_requests_fail_clearly()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 1, test: 2, size: 40);
        string checkpoint = WriteCheckpoint("unet", data, Path.Combine(folder.Path, "model.ckpt"));
        string[] common = ["--data", data, "--json", "--no-progress", "--device", "cpu"];
        Assert.Equal(0, Run(["evaluate", "--checkpoint", checkpoint, "--out", Path.Combine(folder.Path, "t"), .. common]).Code);
        var onTheFly = Run(["evaluate", "--checkpoint", checkpoint, "--engine", "onnx", "--out", Path.Combine(folder.Path, "o"), .. common]);
        Assert.True(onTheFly.Code == 0, onTheFly.Err);
        AssertSameMetrics(Path.Combine(folder.Path, "t", "metrics.json"), Path.Combine(folder.Path, "o", "metrics.json"));

        string onnx = Path.Combine(folder.Path, "m.onnx");
        Assert.Equal(0, Run("export", "--checkpoint", checkpoint, "--out", onnx, "--opset", "18", "--fixed-size", "48").Code);
        // The fixed-size file takes 48 x 48 only; the 40 x 40 test images are refused by name and size.
        var wrongSize = Run("predict", "--checkpoint", onnx, "--engine", "onnx", "--input", Path.Combine(data, "imagesTs"),
                            "--out", Path.Combine(folder.Path, "fixed"), "--no-progress", "--device", "cpu");
        Assert.Equal(1, wrongSize.Code);
        Assert.Contains("m.onnx: exported with --fixed-size, it takes 48 x 48 images only, got 40 x 40", wrongSize.Err);
        Assert.DoesNotContain("   at ", wrongSize.Err);
        var again = Run("export", "--checkpoint", checkpoint, "--out", onnx);
        Assert.Equal(1, again.Code);
        Assert.Contains("already exists", again.Err);
        var badOpset = Run("export", "--checkpoint", checkpoint, "--out", Path.Combine(folder.Path, "x.onnx"), "--opset", "9");
        Assert.Equal(1, badOpset.Code);
        Assert.Contains("--opset", badOpset.Err);
        var torchOnOnnx = Run("predict", "--checkpoint", onnx, "--input", Path.Combine(data, "imagesTs"), "--out", Path.Combine(folder.Path, "p"), "--no-progress");
        Assert.Equal(1, torchOnOnnx.Code);
        Assert.Contains("--engine onnx", torchOnOnnx.Err);
        File.WriteAllText(Path.Combine(folder.Path, "junk.onnx"), "not a model");
        var junk = Run("predict", "--checkpoint", Path.Combine(folder.Path, "junk.onnx"), "--engine", "onnx", "--input", Path.Combine(data, "imagesTs"),
                       "--out", Path.Combine(folder.Path, "q"), "--no-progress");
        Assert.Equal(1, junk.Code);
        Assert.Contains("junk.onnx", junk.Err);
        Assert.DoesNotContain("   at ", junk.Err);
    }

    /// <summary>A checkpoint of a small instance, batch norms set to the statistics of the dataset's test images.</summary>
    internal static string WriteCheckpoint(string name, string data, string path)
    {
        using var model = OnnxTestModels.Create(name, 1, 2);
        using (NewDisposeScope())
        {
            var images = Directory.GetFiles(Path.Combine(data, "imagesTs")).Order()
                .Select(f => ImageReader.Read(f)).Select(i => tensor(i.Data, [1, 1, i.Height, i.Width])).ToList();
            var batch = cat(images, 0);
            OnnxTestModels.Calibrate(model, cat([batch, batch.flip(3)], 0));
        }
        var info = OnnxTestModels.InfoFor(model, name) with { ClassNames = ["background", "spot"], LabelValues = [0, 1], WindowSize = 64 };
        Checkpoint.Save(path, model, info);
        return path;
    }

    static string Summary(string evaluationFolder)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(evaluationFolder, "metrics.json")));
        var weighted = json.RootElement.GetProperty("strata")[2].GetProperty("dataset").GetProperty("weighted");
        string Get(string key) => weighted.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble().ToString("0.000000") : "-";
        return $"{Get("dice")} / {Get("iou")} / {Get("mae")}";
    }

    /// <summary>Every number in two metrics.json files agrees to the fourth decimal (MAE and threshold sweeps need probabilities, which mask files lack).</summary>
    static void AssertSameMetrics(string expectedPath, string actualPath, bool skipContinuousMaps = false)
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(expectedPath));
        using var actual = JsonDocument.Parse(File.ReadAllText(actualPath));
        int compared = Compare(expected.RootElement, actual.RootElement, "$", skipContinuousMaps);
        Assert.True(compared > 20, $"only {compared} numbers compared");
    }

    static int Compare(JsonElement a, JsonElement b, string where, bool skipContinuousMaps)
    {
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                int n = 0;
                foreach (var property in a.EnumerateObject())
                {
                    if (skipContinuousMaps && IsContinuousMapMetric(property.Name)) continue;
                    if (!b.TryGetProperty(property.Name, out var other)) continue;
                    n += Compare(property.Value, other, $"{where}.{property.Name}", skipContinuousMaps);
                }
                return n;
            case JsonValueKind.Array:
                var left = a.EnumerateArray().ToList();
                var right = b.EnumerateArray().ToList();
                Assert.True(left.Count == right.Count, $"{where}: {left.Count} vs {right.Count} items");
                return left.Zip(right).Select((p, i) => Compare(p.First, p.Second, $"{where}[{i}]", skipContinuousMaps)).Sum();
            case JsonValueKind.Number:
                double x = a.GetDouble(), y = b.GetDouble();
                // Rates (Dice, IoU, precision, ...) agree to the fourth decimal. Pixel counts may differ by a
                // pixel or two in tens of thousands: float32 rounding differs between the engines (~1e-4 on
                // the logits of the random Res2Net models) and can flip a pixel whose two classes tie.
                double tolerance = Math.Abs(x) <= 1 && Math.Abs(y) <= 1 ? 1e-4 : 2e-4 * Math.Abs(x);
                Assert.True(Math.Abs(x - y) <= tolerance, $"{where}: torch {x} vs onnx {y}");
                return 1;
            default:
                return 0;
        }
    }

    static bool IsContinuousMapMetric(string name) =>
        name.Contains("mae", StringComparison.OrdinalIgnoreCase) || name.Contains("threshold", StringComparison.OrdinalIgnoreCase) ||
        name.Contains("sweep", StringComparison.OrdinalIgnoreCase) || name.Contains("max", StringComparison.OrdinalIgnoreCase);
}
