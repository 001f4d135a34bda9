using System.CommandLine;
using SoSeg.App.Demonstration;

namespace SoSeg.Cli.Commands;

/// <summary>soseg demo: the whole experiment on generated data, no input needed.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder for the generated data, the runs and the report (an earlier demo's folder is reused).", DefaultValueFactory = _ => "soseg-demo" };
        var frames = new Option<int?>("--frames") { Description = "Synthetic frames to generate (default: 40 on CPU, 200 on CUDA)." };
        var epochs = new Option<int?>("--epochs") { Description = "Training epochs per model (default: 6 on CPU, 30 on CUDA)." };
        var stepsPerEpoch = new Option<int?>("--steps-per-epoch") { Description = "Training steps per epoch (default: 25 on CPU, one pass over the frames on CUDA)." };
        var parallel = new Option<int?>("--parallel") { Description = "Models trained at a time on the CPU, each in its own process with an equal share of the CPUs (default 1: one after another with every CPU). --parallel 2 finishes sooner on 2 or more cores; its figures are those of one-thread training, which differ from the default's by float rounding carried through training." };
        var crop = new Option<int?>("--crop") { Description = "Square training crop (default: 256 on CPU, 512 on CUDA); predictions use whole frames." };
        var device = new DeviceOptions();
        var force = CommonOptions.Force();
        var command = new Command("demo", "Generate a synthetic sperm-microscopy dataset, train SoSegFormer and a U-Net on it (a few minutes on a 2-core CPU; paper scale with --device cuda), evaluate both and write a report with tables and overlays.")
        {
            output, frames, epochs, stepsPerEpoch, crop, parallel, force,
        };
        device.AddTo(command);
        command.SetAction(parse =>
        {
            var log = parse.InvocationConfiguration.Output;
            var torchDevice = device.Resolve(parse);
            var plan = DemoPlan.For(torchDevice).Resized(parse.GetValue(frames), parse.GetValue(epochs), parse.GetValue(stepsPerEpoch), parse.GetValue(crop), parse.GetValue(parallel), device.GivenPrecision(parse));
            using var cancel = CtrlC.Cancels(log);
            var result = Demo.Run(parse.GetValue(output)!, torchDevice, CommonOptions.ProgressFor(parse, keepStdoutClean: false), log, cancel.Token, plan, parse.GetValue(force), SosegProcess.Command());
            log.WriteLine();
            log.WriteLine(result.Markdown);
            log.WriteLine($"report: {Path.Combine(result.ReportFolder, "comparison.html")}");
            log.WriteLine($"        {Path.Combine(result.ReportFolder, "comparison.md")}{(result.Figure is null ? "" : $", {result.Figure}")}");
            return 0;
        });
        return command;
    }
}
