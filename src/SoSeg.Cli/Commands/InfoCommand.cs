using System.CommandLine;
using System.Text.Json;
using SoSeg.Runtime;

namespace SoSeg.Cli.Commands;

/// <summary>soseg info: versions, where libtorch was loaded from, threads and CUDA devices.</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var device = new DeviceOptions();
        var json = CommonOptions.Json();
        var command = new Command("info", "Show .NET, TorchSharp and libtorch versions, where the native libraries were loaded from, CPU threads and CUDA devices.");
        device.AddTo(command);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var report = RuntimeReport.Collect(device.Spec(parse), device.AllowTf32(parse));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(report, Json.Indented));
            else Print(report, output);
            return 0;
        });
        return command;
    }

    static void Print(RuntimeReport r, TextWriter o)
    {
        o.WriteLine($"SoSeg           {r.SoSegVersion}");
        o.WriteLine($".NET            {r.DotnetVersion} on {r.OperatingSystem}");
        o.WriteLine($"TorchSharp      {r.TorchSharpVersion}");
        o.WriteLine($"libtorch        {r.LibtorchVersion}");
        o.WriteLine($"libtorch from   {r.LibtorchSource}: {r.LibtorchFolder ?? "(not loaded)"}");
        o.WriteLine("native files");
        foreach (var file in r.LoadedNativeFiles) o.WriteLine($"  {file}");
        o.WriteLine($"CPU             {r.ProcessorCount} logical processors, libtorch uses {r.TorchThreads} threads (CPUs this process may use: {CpuBudget.Current.Count}, from the {CpuBudget.Current.Source})");
        o.WriteLine($"device          {r.SelectedDevice} (asked: {r.RequestedDevice}){(r.Tf32 ? ", TF32 on" : "")}");
        o.WriteLine($"CUDA            {(r.CudaAvailable ? "available" : "not available in this process")}");
        o.WriteLine($"CUDA libtorch   {r.CudaLibtorchFound ?? "none found (set SOSEG_LIBTORCH; see docs/gpu.md)"}");
        if (r.Gpus.Count == 0) o.WriteLine("GPUs            none");
        foreach (var gpu in r.Gpus)
            o.WriteLine($"GPU {gpu.Index}           {gpu.Name}, {gpu.TotalBytes / (1024.0 * 1024 * 1024):0.0} GiB ({gpu.FreeBytes / (1024.0 * 1024 * 1024):0.0} GiB free)");
    }
}
