using System.CommandLine;
using SoSeg.App.Comparison;
using SoSeg.App.Comparison.Executors;
using SoSeg.App.Comparison.Grid;
using SoSeg.IO;
using SoSeg.Monitoring;
using SoSeg.App.Terminal;
using static TorchSharp.torch;

namespace SoSeg.Cli.Commands;

/// <summary>`soseg compare` once its grid is known: train it here, or submit it to Slurm and wait, or collect it.</summary>
static class CompareGrid
{
    const string Command = "soseg compare";

    public static int Execute(ComparisonGrid grid, ClusterOptions cluster, ParseResult parse, Device device, Progress progress, TextWriter log,
        CancellationToken cancel, bool collectOnly, bool force)
    {
        bool retry = cluster.RetryFailed(parse);
        int parallel = cluster.Parallel(parse, device);
        // One writer per report folder. A local grid of one dataset is locked by ModelComparison.Run itself (the report
        // is that dataset's folder); every other case writes grid.json, cell states or the combined report here.
        bool lockedByComparison = !collectOnly && grid.Executor == "local" && !cluster.ListCells(parse) && grid.Datasets.Count == 1;
        if (!collectOnly)
        {
            // Every dataset is checked before anything is written or submitted (memory only where the cells run here).
            foreach (var dataset in grid.Datasets) new ModelComparison(dataset.Options, device, progress, log).CheckBeforeWork(checkMemory: grid.Slurm is null);
            if (grid.Slurm is not null && !cluster.ListCells(parse)) SlurmCommand.EnsureAvailable();
            OutputFolder.Claim(grid.Report, OutputKind.Report, Command, force, grid.Datasets.Select(d => d.Options.Data));
        }
        using var writer = lockedByComparison ? null : FolderLock.Acquire(grid.Report, Command);
        if (!collectOnly)
        {
            grid.Save();
            if (cluster.ListCells(parse)) return ListCells(grid, log);
            if (grid.Executor == "local")
            {
                if (retry) throw new ArgumentException("--retry-failed needs --executor slurm (the local executor resumes unfinished runs by itself).");
                if (parallel > 1)
                {
                    // The cells' processes write into each dataset's report folder before its comparison reports it.
                    foreach (var dataset in grid.Datasets) OutputFolder.Claim(dataset.Report, OutputKind.Report, Command, force, [dataset.Options.Data]);
                    using (lockedByComparison ? FolderLock.Acquire(grid.Report, Command) : null)
                        new CellProcesses(grid, parallel, Runtime.CpuBudget.Current.Count, SosegProcess.Command(), log).Run(cancel);
                }
                return Print(GridReport.RunLocally(grid, device, progress, log, cancel, force), log);
            }
        }
        else if (!retry)
        {
            if (grid.Slurm is not null)
            {
                try { log.WriteLine($"cells: {SlurmExecutor.Summary(new SlurmExecutor(grid, log).States())}"); }
                catch (SoSegException e) { log.WriteLine($"(queue not consulted: {e.Message})"); }
            }
            return Print(GridReport.Collect(grid, device, progress, log), log);
        }

        var slurm = new SlurmExecutor(grid, log);
        var states = slurm.States();
        var submit = grid.Cells.Where(c => retry ? states[c.Index] == CellState.Failed : states[c.Index] is CellState.NotSubmitted or CellState.Failed).ToList();
        if (submit.Count > 0) slurm.Submit(submit);
        else log.WriteLine(retry ? "no failed cells to resubmit." : "every cell is done or queued already.");
        if (cluster.NoWait(parse))
        {
            log.WriteLine($"not waiting: follow with `soseg compare --collect {grid.Report}` (it builds the report from the finished cells and names the others).");
            return 0;
        }
        states = slurm.Wait(cluster.Poll(parse), cancel);
        Print(GridReport.Collect(grid, device, progress, log), log);
        var failed = grid.Cells.Where(c => states[c.Index] != CellState.Done).ToList();
        if (failed.Count == 0) return 0;
        log.WriteLine($"{failed.Count} cell(s) did not finish:");
        foreach (var cell in failed) log.WriteLine($"  {slurm.FailureNote(cell)}");
        log.WriteLine($"resubmit them with `soseg compare --collect {grid.Report} --retry-failed` (each resumes from its last finished epoch).");
        return 1;
    }

    /// <summary>The cells, for a batch system that numbers its tasks: each runs `soseg compare-cell --grid REPORT/grid.json --cell I`.</summary>
    static int ListCells(ComparisonGrid grid, TextWriter log)
    {
        log.WriteLine($"{ComparisonGrid.PathIn(grid.Report)}: {grid.Cells.Count} cell(s); run cell I with `soseg compare-cell --grid {ComparisonGrid.PathIn(grid.Report)} --cell I --device {grid.Device}`");
        foreach (var cell in grid.Cells)
        {
            bool done = ModelComparison.IsFinished(cell.Dataset.Report, cell.Model, cell.Seed, cell.Dataset.Options.Training.Epochs);
            log.WriteLine($"{cell.Index,4}  {(done ? "done " : "to do")}  {cell.Name}  {cell.RunFolder}");
        }
        return 0;
    }

    static int Print(IReadOnlyList<ComparisonResult> results, TextWriter log)
    {
        foreach (var result in results)
        {
            log.WriteLine();
            log.WriteLine(result.Markdown);
            log.WriteLine($"report: {Path.Combine(result.ReportFolder, "comparison.html")} (and comparison.md{(result.Figure is null ? "" : ", figure.png")})");
        }
        return 0;
    }
}
