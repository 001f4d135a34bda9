using System.ComponentModel;
using SoSeg.Cli;
using SoSeg.Runtime;

namespace SoSeg.Tests.Cli;

/// <summary>The start-up dispatch (CUDA child process) runs only for a command's own action, and its failures are reported.</summary>
public class StartupDispatchTests
{
    static (int Code, string Out, string Err, List<DeviceSpec> Calls) Run(Func<int?> dispatch, params string[] args)
    {
        var calls = new List<DeviceSpec>();
        var output = new StringWriter();
        var error = new StringWriter();
        int code = SosegCli.Run(args, output, error, (device, _) => { calls.Add(device); return dispatch(); });
        return (code, output.ToString(), error.ToString(), calls);
    }

    [Fact]
    public void Help_and_parse_errors_do_not_dispatch()
    {
        var help = Run(() => throw new InvalidOperationException("must not be called"), "train", "--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("--device", help.Out);
        Assert.Empty(help.Calls);

        var bad = Run(() => throw new InvalidOperationException("must not be called"), "train", "--epochs", "x");
        Assert.Equal(1, bad.Code);
        Assert.Empty(bad.Calls);
    }

    [Fact]
    public void The_command_itself_dispatches_with_its_device_and_the_child_exit_code_is_returned()
    {
        var run = Run(() => 7, "train", "--data", "nowhere", "--out", "nowhere");
        Assert.Equal(7, run.Code);
        Assert.Equal([DeviceSpec.Auto], run.Calls);
    }

    [Fact]
    public void Dispatch_failures_are_reported_not_thrown()
    {
        var unavailable = Run(() => throw new DeviceUnavailableException("no CUDA libtorch"), "train", "--device", "cuda");
        Assert.Equal(1, unavailable.Code);
        Assert.StartsWith("error: no CUDA libtorch", unavailable.Err);

        var cannotStart = Run(() => throw new Win32Exception(2, "dotnet not found"), "train", "--device", "cuda");
        Assert.Equal(2, cannotStart.Code);
        Assert.StartsWith("error: unexpected Win32Exception: dotnet not found", cannotStart.Err);

        var noProcess = Run(() => throw new InvalidOperationException("Could not start dotnet"), "evaluate", "--device", "cuda");
        Assert.Equal(2, noProcess.Code);
        Assert.Contains("InvalidOperationException", noProcess.Err);
    }
}
