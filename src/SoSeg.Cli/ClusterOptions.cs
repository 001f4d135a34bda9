using System.CommandLine;
using SoSeg.App.Comparison.Executors;
using SoSeg.App.Comparison.Grid;
using SoSeg.Runtime;
using TorchSharp;

namespace SoSeg.Cli;

/// <summary>`soseg compare`'s options for running the grid elsewhere: --executor, the Slurm request, waiting and collecting.</summary>
public sealed class ClusterOptions
{
    public const string ExecutorName = "--executor", Slurm = "slurm";

    readonly Option<string> _executor = new(ExecutorName)
    {
        Description = "Who trains the cells: local (one after another in this process) or slurm (one Slurm job-array task per dataset x model x seed; docs/cluster.md).",
        DefaultValueFactory = _ => "local",
    };
    readonly Option<string?> _partition = new("--partition") { Description = "Slurm: partition of the tasks (cluster default if unset)." };
    readonly Option<int?> _gpusPerTask = new("--gpus-per-task") { Description = "Slurm: GPUs per task (use with --device cuda)." };
    readonly Option<int?> _cpusPerTask = new("--cpus-per-task") { Description = "Slurm: CPUs per task; each task's libtorch uses exactly these." };
    readonly Option<string?> _memory = new("--mem") { Description = "Slurm: memory per task, sbatch syntax (e.g. 32G)." };
    readonly Option<string?> _time = new("--time") { Description = "Slurm: time limit per task, sbatch syntax (e.g. 2-00:00:00). A task stopped by it resumes when resubmitted (--retry-failed)." };
    readonly Option<int> _sigtermBefore = new("--sigterm-before")
    {
        Description = "Slurm: seconds before the time limit at which a task gets SIGTERM and stops, keeping its last finished epoch.",
        DefaultValueFactory = _ => new SlurmSettings { SosegCommand = "soseg" }.SigtermSeconds,
    };
    readonly Option<string[]> _sbatchArgs = new("--sbatch-arg")
    {
        Description = "Slurm: a further sbatch option (repeatable), e.g. --sbatch-arg=--account=lab --sbatch-arg=--qos=short.",
        Arity = ArgumentArity.ZeroOrMore,
    };
    readonly Option<string?> _sosegCommand = new("--soseg-command") { Description = "Slurm: the command that starts soseg on the compute nodes (default: this soseg's path; it must be on the shared filesystem)." };
    readonly Option<bool> _noWait = new("--no-wait") { Description = "Slurm: submit and return; build the report later with --collect." };
    readonly Option<int> _poll = new("--poll") { Description = "Slurm: seconds between looks at the queue while waiting.", DefaultValueFactory = _ => 10 };
    readonly Option<string?> _collect = new("--collect") { Description = "Build the report in this report folder from whatever cells have finished, naming the missing ones (no --data/--models/--out)." };
    readonly Option<bool> _listCells = new("--list-cells") { Description = "Write REPORT/grid.json and list its cells (number, name, done or not, run folder) without training or submitting, e.g. to run them with another batch system." };
    readonly Option<int> _parallel = new("--parallel")
    {
        Description = "Local executor: train this many cells at a time, each in its own soseg process with an equal share of the CPUs as libtorch threads (CPU only; small models use a second thread poorly, so this finishes a grid sooner). Default 1: one after another in this process.",
        DefaultValueFactory = _ => 1,
    };
    readonly Option<bool> _retryFailed = new("--retry-failed") { Description = "Slurm: resubmit only the failed cells (they resume from their last finished epoch)." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _executor, _partition, _gpusPerTask, _cpusPerTask, _memory, _time, _sigtermBefore, _sbatchArgs, _sosegCommand, _noWait, _poll, _collect, _retryFailed, _listCells, _parallel })
            command.Options.Add(option);
        _executor.AcceptOnlyFromAmong("local", Slurm);
    }

    public string Executor(ParseResult parse) => parse.GetValue(_executor)!;

    /// <summary>
    /// The device this process computes on: --device, except with --executor slurm, where --device is the
    /// tasks' and this process (submitting, waiting, evaluating a straggler) uses the CPU.
    /// </summary>
    public torch.Device LocalDevice(ParseResult parse, DeviceOptions device) =>
        Executor(parse) == Slurm ? TorchRuntime.Resolve(DeviceSpec.Cpu) : device.Resolve(parse);
    public string? Collect(ParseResult parse) => parse.GetValue(_collect);
    public bool NoWait(ParseResult parse) => parse.GetValue(_noWait);
    public bool RetryFailed(ParseResult parse) => parse.GetValue(_retryFailed);
    public bool ListCells(ParseResult parse) => parse.GetValue(_listCells);

    public TimeSpan Poll(ParseResult parse) =>
        parse.GetValue(_poll) is var seconds and >= 1 and <= 3600 ? TimeSpan.FromSeconds(seconds) : throw new ArgumentException($"--poll must lie in 1..3600 seconds (got {parse.GetValue(_poll)}).");

    /// <summary>The Slurm request, or null for the local executor.</summary>
    public SlurmSettings? SlurmRequest(ParseResult parse)
    {
        Poll(parse);
        if (Executor(parse) != Slurm)
        {
            var slurmOnly = new Option[] { _partition, _gpusPerTask, _cpusPerTask, _memory, _time, _sbatchArgs, _sosegCommand, _noWait }
                .FirstOrDefault(o => parse.GetResult(o) is { Implicit: false });
            if (slurmOnly is not null) throw new ArgumentException($"{slurmOnly.Name} needs --executor slurm.");
            return null;
        }
        var settings = new SlurmSettings
        {
            Partition = parse.GetValue(_partition),
            GpusPerTask = parse.GetValue(_gpusPerTask),
            CpusPerTask = parse.GetValue(_cpusPerTask),
            Memory = parse.GetValue(_memory),
            TimeLimit = parse.GetValue(_time),
            SigtermSeconds = parse.GetValue(_sigtermBefore),
            ExtraArguments = parse.GetValue(_sbatchArgs) ?? [],
            SosegCommand = parse.GetValue(_sosegCommand) ?? ThisSoseg(),
        };
        settings.Validate();
        return settings;
    }

    /// <summary>How to start this very soseg, as one shell command.</summary>
    static string ThisSoseg() => string.Join(' ', SosegProcess.Command().Select(SlurmExecutor.Quote));

    /// <summary>--parallel, checked against the executor and the device: several cells at a time only run here, on the CPU.</summary>
    public int Parallel(ParseResult parse, torch.Device device)
    {
        int parallel = parse.GetValue(_parallel);
        if (parallel < 1) throw new ArgumentException($"--parallel must be at least 1 (got {parallel}).");
        if (parallel > 1 && Executor(parse) != "local") throw new ArgumentException("--parallel needs --executor local (Slurm runs every cell as its own task).");
        if (parallel > 1 && device.type != DeviceType.CPU) throw new ArgumentException("--parallel needs --device cpu (cells on one GPU run one after another).");
        return parallel;
    }
}
