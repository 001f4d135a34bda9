using System.Text.Json;
using SoSeg.Cli;

namespace SoSeg.Tests.Cli;

public class InfoCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.RunSoseg(args);

    [Fact]
    public void Info_json_reports_libtorch_2_10_and_the_cpu_device()
    {
        var (code, output, error) = Run("info", "--json", "--device", "cpu");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("2.10.0", root.GetProperty("libtorchVersion").GetString());
        Assert.Equal("0.107.0", root.GetProperty("torchSharpVersion").GetString());
        Assert.Equal("cpu", root.GetProperty("selectedDevice").GetString());
        Assert.True(root.GetProperty("torchThreads").GetInt32() >= 1);
        Assert.Contains(root.GetProperty("loadedNativeFiles").EnumerateArray(), e => e.GetString()!.EndsWith("libtorch_cpu.so"));
    }

    [Fact]
    public void Info_text_names_the_library_folder()
    {
        var (code, output, _) = Run("info", "--device", "cpu");
        Assert.Equal(0, code);
        Assert.Contains("libtorch        2.10.0", output);
        Assert.Contains("device          cpu", output);
    }

    [Fact]
    public void Bad_device_is_a_one_line_error_without_a_stack_trace()
    {
        var (code, _, error) = Run("info", "--device", "tpu");
        Assert.Equal(1, code);
        Assert.StartsWith("error: 'tpu' is not a device", error);
        Assert.DoesNotContain("   at ", error);
    }
}
