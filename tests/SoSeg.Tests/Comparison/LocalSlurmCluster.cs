using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace SoSeg.Tests.Comparison;

/// <summary>
/// A real one-node Slurm cluster on this machine (munged, slurmctld, slurmd from Debian's packages, as root),
/// configured in a temporary folder on free ports: no cgroup plugins, so it runs inside a container. The
/// daemons it started are stopped by PID on dispose. Missing binaries fail with the command that installs them.
/// </summary>
public sealed class LocalSlurmCluster : IDisposable
{
    public const string InstallHint = "scripts/install-slurm.sh (Debian: apt-get install -y slurmctld slurmd munge slurm-client) installs them";

    readonly List<Process> _daemons = [];
    readonly string? _previousConf = Environment.GetEnvironmentVariable("SLURM_CONF");

    public string Folder { get; } = Directory.CreateTempSubdirectory("soseg-slurm-").FullName;
    public string Config => Path.Combine(Folder, "slurm.conf");
    public int Cpus => 2;

    public LocalSlurmCluster()
    {
        string[] needed = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "sinfo"];
        var missing = needed.Where(n => Which(n) is null).ToList();
        if (missing.Count > 0) throw new InvalidOperationException($"Slurm is not installed here (missing: {string.Join(", ", missing)}); {InstallHint}.");
        if (geteuid() != 0) throw new InvalidOperationException("the local Slurm cluster runs its daemons as root (SlurmdUser=root); run the tests as root.");
        try { Start(); }
        catch (Exception e)
        {
            string logs = Logs();
            Dispose();
            throw new InvalidOperationException($"could not start a one-node Slurm cluster: {e.Message}\n{logs}", e);
        }
    }

    void Start()
    {
        string munge = Path.Combine(Folder, "munge");
        Directory.CreateDirectory(munge);
        File.SetUnixFileMode(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(munge, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        string key = Path.Combine(munge, "munge.key");
        File.WriteAllBytes(key, System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024));
        File.SetUnixFileMode(key, UnixFileMode.UserRead);
        string socket = Path.Combine(munge, "munge.sock");
        StartDaemon(Which("munged")!, ["-F", "--force", $"--socket={socket}", $"--key-file={key}", $"--log-file={Path.Combine(munge, "munged.log")}",
            $"--pid-file={Path.Combine(munge, "munged.pid")}", $"--seed-file={Path.Combine(munge, "seed")}"]);
        WaitFor(() => File.Exists(socket), TimeSpan.FromSeconds(20), "munged to create its socket");

        foreach (var sub in new[] { "state", "spool", "log" }) Directory.CreateDirectory(Path.Combine(Folder, sub));
        int controllerPort = FreePort(), nodePort = FreePort();
        File.WriteAllText(Config, $"""
            ClusterName=soseg-test
            SlurmctldHost=localhost
            SlurmctldPort={controllerPort}
            SlurmdPort={nodePort}
            AuthType=auth/munge
            AuthInfo=socket={socket}
            CredType=cred/munge
            SlurmUser=root
            SlurmdUser=root
            StateSaveLocation={Path.Combine(Folder, "state")}
            SlurmdSpoolDir={Path.Combine(Folder, "spool")}
            SlurmctldPidFile={Path.Combine(Folder, "slurmctld.pid")}
            SlurmdPidFile={Path.Combine(Folder, "slurmd.pid")}
            SlurmctldLogFile={Path.Combine(Folder, "log", "slurmctld.log")}
            SlurmdLogFile={Path.Combine(Folder, "log", "slurmd.log")}
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            JobCompType=jobcomp/none
            MpiDefault=none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            SchedulerType=sched/backfill
            ReturnToService=2
            KillWait=10
            MinJobAge=600
            NodeName=localhost NodeHostname={Dns.GetHostName()} CPUs={Cpus} RealMemory=2000 State=UNKNOWN
            PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP

            """);
        Environment.SetEnvironmentVariable("SLURM_CONF", Config);
        StartDaemon(Which("slurmctld")!, ["-D", "-i", "-f", Config]);
        StartDaemon(Which("slurmd")!, ["-D", "-f", Config, "-N", "localhost"]);
        WaitFor(() => Command("sinfo", "--noheader", "--format=%T").Output.Trim() == "idle", TimeSpan.FromSeconds(60), "the node to become idle (sinfo)");
    }

    void StartDaemon(string path, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(path) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["SLURM_CONF"] = Config;
        var process = Process.Start(start)!;
        var log = new StreamWriter(Path.Combine(Folder, Path.GetFileName(path) + ".out")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _daemons.Add(process);
    }

    /// <summary>Runs a Slurm client command against this cluster.</summary>
    public (int Code, string Output) Command(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["SLURM_CONF"] = Config;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30))) { process.Kill(); throw new TimeoutException($"{command} did not answer in 30 s."); }
        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>Log of the daemons, for a failing test's message.</summary>
    public string Logs() => string.Join("\n", new[] { "slurmctld.out", "slurmd.out", "log/slurmctld.log", "log/slurmd.log" }
        .Select(f => Path.Combine(Folder, f)).Where(File.Exists).Select(f => $"--- {f}\n" + string.Join("\n", File.ReadLines(f).TakeLast(20))));

    public static void WaitFor(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            Thread.Sleep(200);
        }
    }

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin", "/usr/bin"])
        .Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);

    [DllImport("libc")] static extern uint geteuid();
    [DllImport("libc", SetLastError = true)] static extern int kill(int pid, int signal);

    public void Dispose()
    {
        if (_daemons.Count >= 3)
            try { Command("scancel", "--user=root"); Thread.Sleep(500); } catch (Exception) { }
        // Reverse order: slurmd, slurmctld, munged. SIGTERM first (each saves its state and exits), SIGKILL if it hangs.
        foreach (var process in Enumerable.Reverse(_daemons))
        {
            try
            {
                if (!process.HasExited) kill(process.Id, 15);
                if (!process.WaitForExit(TimeSpan.FromSeconds(15))) process.Kill();
                process.WaitForExit();
            }
            catch (InvalidOperationException) { }
            process.Dispose();
        }
        _daemons.Clear();
        Environment.SetEnvironmentVariable("SLURM_CONF", _previousConf);
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
