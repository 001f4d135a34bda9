using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using SoSeg.Export;
using SoSeg.Inference;
using SoSeg.Runtime;
using SoSeg.Tests.Cli;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Export;

/// <summary>
/// Which ONNX Runtime execution provider --device selects: cpu the CPU; auto CUDA when this ONNX Runtime offers
/// it, else the CPU; cuda / cuda:N CUDA on that device, or a clear error, never a silent CPU run. The GPU build
/// of ONNX Runtime is not installed here, so the CUDA cases are decided from given provider lists and the
/// error path runs for real.
/// </summary>
public class OnnxProviderTests
{
    static readonly string[] CpuOnly = ["CPUExecutionProvider"];
    static readonly string[] WithCuda = [OnnxRuntimeEngine.CudaProvider, "CPUExecutionProvider"];

    [Fact]
    public void Cpu_runs_on_the_cpu_whatever_is_installed()
    {
        Assert.Equal(new OnnxRuntimeEngine.ProviderChoice(false, 0, null), OnnxRuntimeEngine.SelectProvider(DeviceSpec.Cpu, WithCuda));
        Assert.Equal(new OnnxRuntimeEngine.ProviderChoice(false, 0, null), OnnxRuntimeEngine.SelectProvider(DeviceSpec.Cpu, CpuOnly));
    }

    [Fact]
    public void Auto_takes_cuda_when_offered_and_else_the_cpu()
    {
        Assert.Equal(new OnnxRuntimeEngine.ProviderChoice(true, 0, null), OnnxRuntimeEngine.SelectProvider(DeviceSpec.Auto, WithCuda));
        Assert.Equal(new OnnxRuntimeEngine.ProviderChoice(false, 0, null), OnnxRuntimeEngine.SelectProvider(DeviceSpec.Auto, CpuOnly));
    }

    [Theory]
    [InlineData("cuda", 0)]
    [InlineData("cuda:1", 1)]
    public void Cuda_takes_the_cuda_provider_on_the_device_asked_for(string device, int id) =>
        Assert.Equal(new OnnxRuntimeEngine.ProviderChoice(true, id, null), OnnxRuntimeEngine.SelectProvider(DeviceSpec.Parse(device), WithCuda));

    [Fact]
    public void Cuda_without_the_provider_is_an_error_not_a_cpu_run()
    {
        var error = Assert.Throws<DeviceUnavailableException>(() => OnnxRuntimeEngine.SelectProvider(DeviceSpec.Parse("cuda"), CpuOnly));
        Assert.Contains("--device cuda", error.Message);
        Assert.Contains("CUDA execution provider", error.Message);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", error.Message);
        Assert.Contains("--device cpu", error.Message);
    }

    [Fact]
    public void This_onnx_runtime_without_its_gpu_build_refuses_cuda_and_runs_auto_on_the_cpu()
    {
        Assert.DoesNotContain(OnnxRuntimeEngine.CudaProvider, OrtEnv.Instance().GetAvailableProviders());
        using var model = OnnxTestModels.Create("unet");
        var info = OnnxTestModels.InfoFor(model, "unet");
        byte[] bytes = OnnxExporter.Build(model, info).ToByteArray();
        Assert.Throws<DeviceUnavailableException>(() => OnnxRuntimeEngine.FromBytes(bytes, "m.onnx", DeviceSpec.Parse("cuda")));
        using var auto = OnnxRuntimeEngine.FromBytes(bytes, "m.onnx", DeviceSpec.Auto);
        Assert.False(auto.UsesCuda);
        Assert.Null(auto.FallbackNote);
        Assert.Equal("onnxruntime (cpu)", auto.Description);
    }

    [Fact]
    public void Predict_with_onnx_on_cuda_says_the_provider_is_missing()
    {
        using var folder = new TempFolder();
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 1, test: 1, size: 40);
        string checkpoint = OnnxEngineCommandTests.WriteCheckpoint("unet", data, Path.Combine(folder.Path, "model.ckpt"));
        string onnx = Path.Combine(folder.Path, "model.onnx");
        Assert.Equal(0, CliHarness.RunSoseg("export", "--checkpoint", checkpoint, "--out", onnx).Code);
        string masks = Path.Combine(folder.Path, "masks");
        var run = CliHarness.RunSoseg("predict", "--checkpoint", onnx, "--engine", "onnx", "--device", "cuda",
                                      "--input", Path.Combine(data, "imagesTs"), "--out", masks, "--no-progress");
        Assert.Equal(1, run.Code);
        Assert.Contains("CUDA execution provider", run.Err);
        // ONNX Runtime brings its own CUDA: the error is not about a CUDA libtorch.
        Assert.DoesNotContain("libtorch", run.Err);
        Assert.DoesNotContain("   at ", run.Err);
        Assert.False(Directory.Exists(masks) && Directory.EnumerateFiles(masks).Any(), "nothing may be predicted on the CPU instead");
    }
}
