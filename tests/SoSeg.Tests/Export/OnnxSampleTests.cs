using System.Diagnostics;
using SoSeg.Data.Images;
using SoSeg.Tests.Cli;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Export;

/// <summary>
/// samples/OnnxSegment segments an image with nothing but ONNX Runtime and the exported file (no SoSeg
/// reference), reading channels, normalisation and mask values from the file's metadata; its mask equals
/// the one soseg predict writes.
/// </summary>
public class OnnxSampleTests
{
    [Fact]
    public void The_sample_program_segments_an_image_like_soseg_predict()
    {
        string root = RepositoryRoot();
        string project = Path.Combine(root, "samples", "OnnxSegment", "OnnxSegment.csproj");
        Assert.True(File.Exists(project), project);
        // Nothing of SoSeg: no project reference and no SoSeg package, ONNX Runtime only.
        Assert.DoesNotContain("ProjectReference", File.ReadAllText(project));
        Assert.DoesNotContain("\"SoSeg", File.ReadAllText(project));

        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 1, test: 1, size: 56);
        string checkpoint = Path.Combine(folder.Path, "model.ckpt");
        OnnxEngineCommandTests.WriteCheckpoint("unet", data, checkpoint);
        string onnx = Path.Combine(folder.Path, "model.onnx");
        Assert.Equal(0, CliHarness.RunSoseg("export", "--checkpoint", checkpoint, "--out", onnx).Code);
        string image = Directory.GetFiles(Path.Combine(data, "imagesTs")).Single();

        string build = Path.Combine(folder.Path, "sample");
        var (buildCode, buildOutput) = Exec("dotnet", ["build", project, "-c", "Release", "-o", build, "--nologo", "-v", "q"], root);
        Assert.True(buildCode == 0, buildOutput);
        string sampleMask = Path.Combine(folder.Path, "sample-mask.png");
        var (code, output) = Exec("dotnet", [Path.Combine(build, "OnnxSegment.dll"), onnx, image, sampleMask], root);
        Assert.True(code == 0, output);
        Assert.Contains("background (mask value 0)", output);
        Assert.Contains("spot (mask value 1)", output);

        string predicted = Path.Combine(folder.Path, "predicted");
        var predict = CliHarness.RunSoseg("predict", "--checkpoint", onnx, "--engine", "onnx", "--input", image, "--out", predicted, "--no-progress", "--device", "cpu");
        Assert.True(predict.Code == 0, predict.Err);
        var expected = ImageReader.Read(Directory.GetFiles(predicted, "*.png").Single()).Data;
        var actual = ImageReader.Read(sampleMask).Data;
        Assert.Equal(expected, actual);
    }

    static (int Code, string Output) Exec(string file, string[] arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SoSeg.slnx"))) return dir.FullName;
        throw new InvalidOperationException("SoSeg.slnx not found above the test binaries.");
    }
}
