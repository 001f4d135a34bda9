using SoSeg.App.Comparison;
using SoSeg.App.Comparison.Executors;
using SoSeg.App.Comparison.Grid;
using SoSeg.Tests.TestData;
using SoSeg.Training;

namespace SoSeg.Tests.Comparison;

public class ComparisonGridTests
{
    static ComparisonOptions Options(string data, int seeds = 2) => new()
    {
        Data = data,
        Models = ["unet", "pranet"],
        Seeds = seeds,
        FirstSeed = 10,
        Training = new TrainingOptions { Epochs = 3, ModelOptions = new() { ["base-width"] = "4" } },
    };

    static SlurmSettings Slurm => new()
    {
        SosegCommand = "/shared/soseg/soseg",
        Partition = "gpu",
        GpusPerTask = 1,
        CpusPerTask = 8,
        Memory = "32G",
        TimeLimit = "1-00:00:00",
        ExtraArguments = ["--account=lab", "--qos=short"],
    };

    [Fact]
    public void Several_datasets_get_a_report_folder_each_and_cells_are_numbered_dataset_model_seed()
    {
        using var folder = new TempFolder();
        var grid = ComparisonGrid.Create(Path.Combine(folder.Path, "report"), [Options("/data/Polyps"), Options("/data/Sperm")], "cuda", true, "slurm", Slurm);
        var cells = grid.Cells;
        Assert.Equal(8, cells.Count);
        Assert.Equal(Enumerable.Range(0, 8), cells.Select(c => c.Index));
        Assert.Equal(("Sperm", "unet", 11L), (cells[5].Dataset.Name, cells[5].Model, cells[5].Seed));
        Assert.Equal(Path.Combine(folder.Path, "report", "Sperm", "runs", "unet", "seed11"), cells[5].RunFolder);
        Assert.Equal("Sperm: unet seed 11", cells[5].Name);

        var single = ComparisonGrid.Create(Path.Combine(folder.Path, "one"), [Options("/data/Polyps")], "cpu", true, "local", null);
        // One dataset: the local executor's layout, REPORT/runs/MODEL/seedN.
        Assert.Equal(Path.Combine(folder.Path, "one", "runs", "pranet", "seed10"), single.Cells[2].RunFolder);
        Assert.Equal("pranet seed 10", single.Cells[2].Name);
    }

    [Fact]
    public void Two_datasets_with_one_folder_name_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => ComparisonGrid.Create("/tmp/r", [Options("/a/Polyps"), Options("/b/Polyps")], "cpu", true, "local", null));
        Assert.Contains("Polyps", e.Message);
    }

    [Fact]
    public void Grid_file_round_trips_and_refuses_another_grid_but_not_another_executor()
    {
        using var folder = new TempFolder();
        string report = Path.Combine(folder.Path, "report");
        var grid = ComparisonGrid.Create(report, [Options("/data/Polyps")], "cuda:1", false, "slurm", Slurm);
        grid.Save();

        var read = ComparisonGrid.Read(report);
        Assert.Equal("cuda:1", read.Device);
        Assert.False(read.AllowTf32);
        Assert.Equal(Slurm with { ExtraArguments = [] }, read.Slurm! with { ExtraArguments = [] });
        Assert.Equal(["--account=lab", "--qos=short"], read.Slurm!.ExtraArguments);
        Assert.Equal(grid.Cells.Select(c => c.Name), read.Cells.Select(c => c.Name));
        var recipe = read.Datasets[0].Options.RecipeFor("unet", 11);
        Assert.Equal(("unet", 11L, 3, "4"), (recipe.Model, recipe.Seed, recipe.Epochs, recipe.ModelOptions["base-width"]));

        // The same cells run locally now: fine.
        ComparisonGrid.Create(report, [Options("/data/Polyps")], "cpu", true, "local", null).Save();
        // Another number of seeds: its runs would mix with this grid's.
        var other = ComparisonGrid.Create(report, [Options("/data/Polyps", seeds: 3)], "cpu", true, "local", null);
        Assert.Contains("holds another grid", Assert.Throws<SoSegException>(other.Save).Message);

        Assert.Contains("not found", Assert.Throws<SoSegException>(() => ComparisonGrid.Read(folder.Path)).Message);
        Assert.Contains("no cell 4 (the grid has 4", Assert.Throws<SoSegException>(() => ComparisonGrid.Read(report).Cell(4)).Message);
    }

    [Fact]
    public void Job_script_asks_for_the_resources_and_execs_soseg_so_sigterm_reaches_it()
    {
        using var folder = new TempFolder();
        var grid = ComparisonGrid.Create(Path.Combine(folder.Path, "report"), [Options("/data/Polyps")], "cuda", true, "slurm", Slurm);
        string script = new SlurmExecutor(grid, TextWriter.Null).Script([grid.Cells[1], grid.Cells[3]]);
        string[] lines = script.Split('\n');
        Assert.Equal("#!/bin/bash", lines[0]);
        foreach (var expected in new[]
                 {
                     "#SBATCH --array=1,3", "#SBATCH --partition=gpu", "#SBATCH --cpus-per-task=8", "#SBATCH --gpus-per-task=1",
                     "#SBATCH --mem=32G", "#SBATCH --time=1-00:00:00", "#SBATCH --signal=B:TERM@120", "#SBATCH --requeue",
                     "#SBATCH --account=lab", "#SBATCH --qos=short", $"#SBATCH --chdir={grid.Report}",
                     $"#SBATCH --output={Path.Combine(grid.Report, "slurm", "logs", "cell-%a-%A.out")}",
                 })
            Assert.Contains(expected, lines);
        Assert.Contains($"exec /shared/soseg/soseg compare-cell --grid '{Path.Combine(grid.Report, "grid.json")}' --cell \"$SLURM_ARRAY_TASK_ID\" --device 'cuda' --no-progress", lines);
        Assert.StartsWith("#SBATCH --job-name=soseg-report-", lines[1]);
    }

    [Theory]
    [InlineData("3", new[] { 3 })]
    [InlineData("[0-2,5%4]", new[] { 0, 1, 2, 5 })]
    [InlineData("[7]", new[] { 7 })]
    [InlineData("N/A", new int[0])]
    public void Squeue_array_indices_are_read_singly_and_as_pending_ranges(string text, int[] expected)
    {
        Assert.Equal(expected, SlurmExecutor.ArrayIndices(text));
    }

    [Fact]
    public void Summary_counts_each_state()
    {
        var states = new Dictionary<int, CellState>
        {
            [0] = CellState.Done, [1] = CellState.Running, [2] = CellState.Pending, [3] = CellState.Pending, [4] = CellState.Failed,
        };
        Assert.Equal("2 pending, 1 running, 1 done, 1 failed (of 5)", SlurmExecutor.Summary(states));
    }
}
