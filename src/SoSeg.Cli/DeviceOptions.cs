using System.CommandLine;
using SoSeg.Runtime;
using TorchSharp;

namespace SoSeg.Cli;

/// <summary>--device, --precision (with --no-tf32, its older spelling of fp32) and (optionally) --threads, for every command that computes.</summary>
public sealed class DeviceOptions
{
    public const string DeviceName = "--device";

    readonly Option<string> _device = new(DeviceName)
    {
        Description = "Where to compute: auto (CUDA when a CUDA libtorch and a GPU are found, else CPU), cpu, cuda or cuda:N. " +
                      "CUDA needs a CUDA libtorch, e.g. SOSEG_LIBTORCH=<PyTorch install>/torch/lib (docs/gpu.md).",
        DefaultValueFactory = _ => "auto",
    };
    readonly Option<string> _precision = new("--precision")
    {
        Description = "Arithmetic: tf32 (float32 with TF32 matrix math on CUDA; the same as fp32 on CPU), fp32, or bf16 (mixed precision: " +
                      "convolutions, linear layers and attention in bfloat16; float32 weights, optimizer state, norms, softmax, loss and metrics). " +
                      "Checkpoints are float32 whichever is used.",
        DefaultValueFactory = _ => Runtime.Precision.Tf32.Name(),
    };
    readonly Option<bool> _noTf32 = new("--no-tf32") { Description = "Same as --precision fp32." };
    readonly Option<int?>? _threads;
    readonly Option<bool>? _channelsLast;

    /// <param name="threads">Also offer --threads (CPU threads libtorch may use).</param>
    /// <param name="channelsLast">Also offer --channels-last (the command runs a network and honours it).</param>
    public DeviceOptions(bool threads = false, bool channelsLast = false)
    {
        if (threads) _threads = new("--threads") { Description = "CPU threads libtorch may use (default: the CPUs this process may use: SLURM_CPUS_PER_TASK, the CPU affinity mask or the cgroup CPU quota, whichever is smallest; `soseg info` shows it)." };
        if (channelsLast) _channelsLast = new("--channels-last") { Description = "Run the network on channels-last (N x H x W x C in memory) activations, as PyTorch's memory_format=torch.channels_last: " +
                                                                                  "other convolution kernels, the same results to float rounding (docs/benchmarks.md has figures)." };
    }

    /// <summary>Adds [--threads,] --device and --no-tf32 to a command, in that order.</summary>
    public void AddTo(Command command)
    {
        if (_threads is not null) command.Options.Add(_threads);
        command.Options.Add(_device);
        command.Options.Add(_precision);
        command.Options.Add(_noTf32);
        if (_channelsLast is not null) command.Options.Add(_channelsLast);
    }

    /// <summary>Whether --channels-last was given (false where the command does not offer it).</summary>
    public bool ChannelsLast(ParseResult parse) => _channelsLast is not null && parse.GetValue(_channelsLast);

    /// <summary>The device asked for.</summary>
    public DeviceSpec Spec(ParseResult parse) => DeviceSpec.Parse(parse.GetValue(_device));

    /// <summary>The precision asked for: --precision, or fp32 with --no-tf32.</summary>
    public Precision Precision(ParseResult parse)
    {
        var precision = PrecisionNames.Parse(parse.GetValue(_precision));
        if (!parse.GetValue(_noTf32)) return precision;
        if (parse.GetResult(_precision) is { Implicit: false } && precision != Runtime.Precision.Fp32)
            throw new ArgumentException($"--no-tf32 means --precision fp32; it cannot go with --precision {precision.Name()}.");
        return Runtime.Precision.Fp32;
    }

    /// <summary>The precision asked for when --precision or --no-tf32 was given; null leaves the command's own default.</summary>
    public Precision? GivenPrecision(ParseResult parse) =>
        parse.GetResult(_precision) is { Implicit: false } || parse.GetValue(_noTf32) ? Precision(parse) : null;

    /// <summary>Whether CUDA may use TF32 (not with --precision fp32 or --no-tf32).</summary>
    public bool AllowTf32(ParseResult parse) => Precision(parse).AllowsTf32();

    /// <summary>Resolves the device (see <see cref="TorchRuntime.Resolve"/>), then applies --threads.</summary>
    public torch.Device Resolve(ParseResult parse)
    {
        var device = TorchRuntime.Resolve(Spec(parse), AllowTf32(parse));
        if (_threads is not null && parse.GetValue(_threads) is int t) torch.set_num_threads(Math.Max(1, t));
        return device;
    }
}
