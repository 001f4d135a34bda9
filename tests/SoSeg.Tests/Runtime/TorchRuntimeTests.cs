using SoSeg.Tests.TestData;
using SoSeg.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Tests.Runtime;

public class TorchRuntimeTests
{
    [Fact]
    public void Libtorch_loads_from_the_app_folder_and_a_training_step_lowers_the_loss()
    {
        var device = TorchRuntime.Resolve(DeviceSpec.Cpu);
        using var random = new Generator(7);
        using var scope = NewDisposeScope();
        var model = Seeded.Build(7, () => nn.Sequential(
            nn.Conv2d(1, 8, 3, padding: 1), nn.ReLU(), nn.Conv2d(8, 2, 3, padding: 1)));
        var optimizer = optim.AdamW(model.parameters(), lr: 1e-2);
        var x = randn([2, 1, 16, 16], generator: random);
        var target = (x > 0).to(ScalarType.Int64).squeeze(1);
        float first = 0, last = 0;
        for (int step = 0; step < 30; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(x), target);
            loss.backward();
            optimizer.step();
            float value = loss.item<float>();
            if (step == 0) first = value;
            last = value;
        }
        Assert.True(last < first * 0.5, $"loss {first} -> {last}");

        string? folder = NativeLibraries.LibtorchFolder();
        Assert.NotNull(folder);
        Assert.StartsWith(AppContext.BaseDirectory, folder + "/");
        NativeLibraries.EnsureNotMixed();
        Assert.Equal("2.10.0", TorchRuntime.BuiltForLibtorch);
    }

    [Fact]
    public void Cuda_in_a_process_on_the_cpu_libtorch_fails_with_what_was_searched_and_how_to_fix_it()
    {
        var error = Assert.Throws<DeviceUnavailableException>(() => TorchRuntime.Resolve(DeviceSpec.Parse("cuda")));
        Assert.Contains("libtorch_cuda.so", error.Message);
        Assert.Contains(LibtorchLocator.EnvironmentVariable, error.Message);
        Assert.Contains("--device cpu", SoSeg.Cli.SettingFlags.Describe(error)); // as the command line words it
    }

    [Fact]
    public void Auto_picks_cpu_when_this_process_has_no_cuda_libtorch()
    {
        var device = TorchRuntime.Resolve(DeviceSpec.Auto);
        Assert.Equal(DeviceType.CPU, device.type);
        // The CPU process never binds a libtorch_cuda, even when asked whether CUDA is there.
        Assert.False(TorchRuntime.CudaAvailable);
        Assert.DoesNotContain(NativeLibraries.Loaded(), p => p.Contains("libtorch_cuda"));
    }

    [Theory]
    [InlineData("auto", DeviceKind.Auto, -1)]
    [InlineData("CPU", DeviceKind.Cpu, -1)]
    [InlineData("cuda", DeviceKind.Cuda, 0)]
    [InlineData("cuda:3", DeviceKind.Cuda, 3)]
    public void Device_specs_parse(string text, DeviceKind kind, int index)
    {
        var spec = DeviceSpec.Parse(text);
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(index, spec.Index);
    }

    [Theory]
    [InlineData("gpu0")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    public void Bad_device_specs_are_rejected(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => DeviceSpec.Parse(text));
        Assert.Contains("auto, cpu, cuda or cuda:N", error.Message);
    }
}
