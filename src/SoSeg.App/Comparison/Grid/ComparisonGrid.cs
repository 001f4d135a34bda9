using System.Text.Json;
using System.Text.Json.Serialization;
using SoSeg.IO;

namespace SoSeg.App.Comparison.Grid;

/// <summary>One dataset of a grid: its name, its report folder and the comparison run on it.</summary>
public sealed record GridDataset(string Name, string Report, ComparisonOptions Options);

/// <summary>One (dataset, model, seed) cell: a training run and its test evaluation.</summary>
public sealed record GridCell(int Index, GridDataset Dataset, string Model, long Seed, bool NameDataset)
{
    /// <summary>The run folder, laid out as <see cref="ModelComparison"/> lays it out for every executor.</summary>
    public string RunFolder => ModelComparison.CellRun(Dataset.Report, Model, Seed).Folder;

    public string Name => NameDataset ? $"{Dataset.Name}: {Model} seed {Seed}" : $"{Model} seed {Seed}";

    public override string ToString() => Name;
}

/// <summary>
/// `soseg compare` over one or more datasets, written to REPORT/grid.json so any process (a Slurm task on
/// another node, `soseg compare --collect`) can find the cells and their recipe:
/// <code>
/// REPORT/grid.json
/// REPORT/runs/MODEL/seedN/             one dataset: the cells' run folders (as the local executor lays them out)
/// REPORT/DATASET/runs/MODEL/seedN/     several datasets: one report folder each, REPORT/comparison.md links them
/// </code>
/// Cells are numbered dataset by dataset, model by model, seed by seed; a cell's number is its Slurm array index.
/// </summary>
public sealed record ComparisonGrid
{
    public const string FileName = "grid.json";

    /// <summary>The report folder (absolute).</summary>
    public required string Report { get; init; }
    public required IReadOnlyList<GridDataset> Datasets { get; init; }
    /// <summary>--device of the cells' trainings (auto, cpu, cuda, cuda:N).</summary>
    public string Device { get; init; } = "auto";
    public bool AllowTf32 { get; init; } = true;
    /// <summary>"local" or "slurm": who trains the cells.</summary>
    public string Executor { get; init; } = "local";
    /// <summary>How Slurm tasks are requested (slurm executor only).</summary>
    public SlurmSettings? Slurm { get; init; }

    [JsonIgnore]
    public IReadOnlyList<GridCell> Cells
    {
        get
        {
            var cells = new List<GridCell>();
            foreach (var dataset in Datasets)
                foreach (var model in dataset.Options.Models)
                    for (int k = 0; k < dataset.Options.Seeds; k++)
                        cells.Add(new GridCell(cells.Count, dataset, model, dataset.Options.FirstSeed + k, Datasets.Count > 1));
            return cells;
        }
    }

    /// <summary>
    /// A grid over <paramref name="perDataset"/> (one comparison per dataset) in <paramref name="report"/>: with
    /// one dataset the report folder is that dataset's, with several each gets a subfolder named after its folder.
    /// </summary>
    public static ComparisonGrid Create(string report, IReadOnlyList<ComparisonOptions> perDataset, string device, bool allowTf32, string executor, SlurmSettings? slurm)
    {
        report = Path.GetFullPath(report);
        if (perDataset.Count == 0) throw new ArgumentException("--data needs at least one dataset folder.");
        var names = perDataset.Select(o => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(o.Data)))).ToList();
        var twice = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new ArgumentException($"--data names two dataset folders called {twice.Key}; each dataset's tables go to a subfolder named after its folder, so the names must differ.");
        var datasets = perDataset.Select((o, i) => new GridDataset(names[i], perDataset.Count == 1 ? report : Path.Combine(report, names[i]), o)).ToList();
        return new ComparisonGrid { Report = report, Datasets = datasets, Device = device, AllowTf32 = allowTf32, Executor = executor, Slurm = slurm };
    }

    public static string PathIn(string report) => Path.Combine(Path.GetFullPath(report), FileName);

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// Writes REPORT/grid.json; a report folder that already holds a different grid is refused (its runs were
    /// trained for that grid), except for how the cells are executed, which may change between calls.
    /// </summary>
    public void Save()
    {
        string path = PathIn(Report);
        if (File.Exists(path))
        {
            var existing = Read(Report);
            if (CellsKey(existing) != CellsKey(this))
                throw new SoSegException($"{path}: this report folder holds another grid (other datasets, models, seeds or recipe); use another --out, or `soseg compare --collect {Report}` to finish that one.");
        }
        Directory.CreateDirectory(Report);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions) + "\n");
    }

    // Loader threads change no result (and default to the machine's cores), so they may differ too.
    static string CellsKey(ComparisonGrid grid) => JsonSerializer.Serialize(grid with
    {
        Device = "", AllowTf32 = true, Executor = "", Slurm = null,
        Datasets = grid.Datasets.Select(d => d with { Options = d.Options with { Training = d.Options.Training with { LoaderThreads = 1 } } }).ToList(),
    }, JsonOptions);

    /// <summary>REPORT/grid.json, with a clear error when the folder holds none.</summary>
    public static ComparisonGrid Read(string report)
    {
        string path = PathIn(report);
        if (!File.Exists(path)) throw new SoSegException($"{path}: not found; {report} is not a report folder of `soseg compare`.");
        try
        {
            return JsonSerializer.Deserialize<ComparisonGrid>(File.ReadAllText(path), JsonOptions) ?? throw new SoSegException($"{path}: empty grid.");
        }
        catch (JsonException e) { throw new SoSegException($"{path}: not a valid grid ({e.Message})."); }
    }

    /// <summary>The cell numbered <paramref name="index"/>, or a clear error.</summary>
    public GridCell Cell(int index)
    {
        var cells = Cells;
        if (index < 0 || index >= cells.Count) throw new SoSegException($"{PathIn(Report)}: no cell {index} (the grid has {cells.Count}, numbered 0 to {cells.Count - 1}).");
        return cells[index];
    }
}
