using System.CommandLine;
using SoSeg.App.Comparison;
using SoSeg.App.Comparison.Grid;

namespace SoSeg.Cli.Commands;

/// <summary>
/// soseg compare-cell (hidden): what one Slurm task of `soseg compare --executor slurm` runs. Trains (or resumes)
/// and evaluates one cell of a grid into its run folder, saying running / done / failed / interrupted in the
/// cell's status file. SIGTERM (a time limit, preemption, scancel) stops it after the current step.
/// </summary>
public static class CompareCellCommand
{
    public static Command Create()
    {
        var grid = new Option<string>("--grid") { Description = "grid.json of the report folder.", Required = true };
        var cell = new Option<int>("--cell") { Description = "Cell number (the Slurm array index).", Required = true };
        var device = new DeviceOptions(threads: true);
        var command = new Command("compare-cell", "Train and evaluate one cell of a `soseg compare` grid (run by the Slurm executor's tasks).")
        {
            grid, cell,
        };
        command.Hidden = true;
        device.AddTo(command);
        command.SetAction(parse =>
        {
            var log = parse.InvocationConfiguration.Output;
            string gridFile = Path.GetFullPath(parse.GetValue(grid)!);
            if (Path.GetFileName(gridFile) != ComparisonGrid.FileName) throw new ArgumentException($"--grid {gridFile}: expected a report folder's {ComparisonGrid.FileName}.");
            var theGrid = ComparisonGrid.Read(Path.GetDirectoryName(gridFile)!);
            var theCell = theGrid.Cell(parse.GetValue(cell));
            using var cancel = CtrlC.Cancels(log);
            CellStatus.Write(theGrid, theCell.Index, CellStatus.Running);
            try
            {
                var torchDevice = device.Resolve(parse);
                log.WriteLine($"cell {theCell.Index}: {theCell.Name} on {Environment.MachineName}, {TorchSharp.torch.get_num_threads()} libtorch thread(s) ({Runtime.CpuBudget.Current.Source}), run folder {theCell.RunFolder}");
                var comparison = new ModelComparison(theCell.Dataset.Options, torchDevice, CommonOptions.ProgressFor(parse, keepStdoutClean: false), log);
                comparison.RunCell(theCell.Dataset.Report, theCell.Model, theCell.Seed, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                CellStatus.Write(theGrid, theCell.Index, CellStatus.Interrupted, "stopped by a signal; its run resumes from its last finished epoch");
                log.WriteLine($"cell {theCell.Index} interrupted: {theCell.RunFolder} keeps its last finished epoch and resumes when the cell is resubmitted.");
                return 130;
            }
            catch (Exception e)
            {
                CellStatus.Write(theGrid, theCell.Index, CellStatus.Failed, SettingFlags.Describe(e));
                throw;
            }
            CellStatus.Write(theGrid, theCell.Index, CellStatus.Done);
            log.WriteLine($"cell {theCell.Index} done: {theCell.Name}");
            return 0;
        });
        return command;
    }
}
