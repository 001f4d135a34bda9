using System.Security.Cryptography;
using System.Text.Json;
using SoSeg.Data.Datasets;
using SoSeg.Data.Images;
using SoSeg.Data.Nifti;
using SoSeg.Runtime;
using SoSeg.Monitoring;

namespace SoSeg.Data.Verification;

/// <summary>
/// Checks a whole dataset before any work starts, in the spirit of nnU-Net's dataset integrity check: decodes
/// every image, channel and mask file in parallel, and reports every problem with its file rather than
/// stopping at the first: unreadable or truncated files, masks (and channel files) of another size or grid
/// than their image, channel counts other than the dataset's, mask values that are not labels of the dataset,
/// NaN or infinite intensities, and images with the same content in two cases. Duplicate case ids are refused
/// when the dataset is opened. Unchanged cases are taken from a <see cref="VerificationCache"/>.
/// </summary>
public static class DatasetVerifier
{
    /// <summary>Checks every case of <paramref name="dataset"/>; <paramref name="progress"/> advances once per case.</summary>
    public static VerificationReport Verify(SegmentationDataset dataset, VerificationCache? cache = null, IProgressTask? progress = null, int? threads = null)
    {
        cache ??= VerificationCache.None;
        string settings = Settings(dataset);
        var known = cache.Load(dataset.Root, settings);
        var cases = dataset.Cases;
        var facts = new CaseFacts[cases.Count];
        int decoded = 0;
        var gate = new object();
        ParallelLoops.Run(() => Parallel.For(0, cases.Count, new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount }, i =>
        {
            var c = cases[i];
            var stamps = FilesOf(c).Select(FileStamp.Of).ToList();
            if (known.TryGetValue(c.Id, out var cached) && stamps.All(s => s is not null) && cached.Stamps.SequenceEqual(stamps))
                facts[i] = cached;
            else
            {
                facts[i] = new CaseFacts(stamps, c.ImagePaths.Select(HashOf).ToList(), c.IsVolume ? CheckVolume(dataset, c) : CheckImage(dataset, c));
                Interlocked.Increment(ref decoded);
            }
            if (progress is not null) lock (gate) progress.Advance();
        }));

        var problems = facts.SelectMany(f => f.Problems).Concat(Duplicates(cases, facts)).ToList();
        if (decoded > 0) cache.Save(dataset.Root, settings, cases.Select((c, i) => (c.Id, facts[i])).ToDictionary(p => p.Id, p => p.Item2, StringComparer.Ordinal));
        return new VerificationReport(dataset.Root, dataset.Layout.ToString(), cases.Count, cases.Sum(c => FilesOf(c).Count()), decoded, problems);
    }

    /// <summary>
    /// Verifies <paramref name="dataset"/> with the user's cache, showing progress, and throws a <see cref="SoSegException"/>
    /// when there are problems: a single problem's own line, else a count and the first <paramref name="listed"/> problems. Commands call this before
    /// they create anything.
    /// </summary>
    public static VerificationReport EnsureValid(SegmentationDataset dataset, IProgressReporter progress, int listed = 10)
    {
        var report = progress.Run(ctx => Verify(dataset, VerificationCache.Default, ctx.AddTask($"verify {dataset.Cases.Count} cases", dataset.Cases.Count)));
        if (report.Ok) return report;
        if (report.Problems.Count == 1) throw new SoSegException(report.Problems[0].Message);
        var lines = report.Problems.Take(listed).Select(p => "  " + p.Message);
        string more = report.Problems.Count > listed ? $"\n  ... and {report.Problems.Count - listed} more" : "";
        throw new SoSegException($"{dataset.Root}: {report.Problems.Count} problem(s) in the dataset; nothing was written " +
                                 $"(`soseg verify {dataset.Root}` lists them all):\n{string.Join("\n", lines)}{more}");
    }

    static IEnumerable<string> FilesOf(DatasetCase c) => c.MaskPath is null ? c.ImagePaths : c.ImagePaths.Append(c.MaskPath);

    /// <summary>What a cached result depends on besides the files: the layout, the dataset description and SoSeg's code.</summary>
    static string Settings(SegmentationDataset dataset) => VerificationCache.Hash(string.Join("\n",
        dataset.Layout, dataset.Channels, JsonSerializer.Serialize(dataset.Manifest), typeof(DatasetVerifier).Assembly.ManifestModule.ModuleVersionId));

    static string? HashOf(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    static List<DatasetProblem> CheckImage(SegmentationDataset dataset, DatasetCase c)
    {
        var problems = new List<DatasetProblem>();
        int channels = 0, width = 0, height = 0;
        bool allRead = true;
        foreach (string path in c.ImagePaths)
        {
            var image = Attempt(problems, path, () => ImageReader.Read(path), ProblemKind.Unreadable);
            if (image is null) { allRead = false; continue; }
            channels += image.Channels;
            if (width == 0) (width, height) = (image.Width, image.Height);
            else if (image.Width != width || image.Height != height)
                problems.Add(new(path, ProblemKind.Size, $"{path}: {image.Width} x {image.Height} pixels, but {c.ImagePaths[0]} of the same case is {width} x {height}."));
        }
        if (allRead && channels != dataset.Channels)
            problems.Add(new(c.ImagePaths[0], ProblemKind.Channels, $"{c.ImagePaths[0]}: has {channels} channel(s) but the dataset has {dataset.Channels}" +
                                                                     $" ({string.Join(", ", dataset.Manifest.ChannelNames)})."));
        if (c.MaskPath is not { } maskPath) return problems;
        var mask = Attempt(problems, maskPath, () => dataset.ReadMaskValues(maskPath), ProblemKind.Labels);
        if (mask is null) return problems;
        if (width > 0 && (mask.Width != width || mask.Height != height))
            problems.Add(new(maskPath, ProblemKind.Size, $"{maskPath}: mask is {mask.Width} x {mask.Height} pixels but its image {c.ImagePaths[0]} is {width} x {height}."));
        Attempt(problems, maskPath, () => { dataset.Labels.ToClassesInPlace(mask.Values, maskPath); return mask; }, ProblemKind.Labels);
        return problems;
    }

    static List<DatasetProblem> CheckVolume(SegmentationDataset dataset, DatasetCase c)
    {
        var problems = new List<DatasetProblem>();
        VolumeGeometry? grid = null;
        foreach (string path in c.ImagePaths)
        {
            var geometry = Attempt(problems, path, () =>
            {
                var image = NiftiReader.Read(path);
                var g = new VolumeGeometry(image.Header, path);
                Attempt(problems, path, () => { image.EnsureFinite(); return image; }, ProblemKind.NotFinite);
                return g;
            }, ProblemKind.Unreadable);
            if (geometry is null) continue;
            if (grid is null) grid = geometry;
            else if (!geometry.SameGrid(grid))
                problems.Add(new(path, ProblemKind.Size, $"{path}: grid {string.Join(" x ", geometry.Size)} differs from {c.ImagePaths[0]} ({string.Join(" x ", grid.Size)}) of the same case."));
        }
        if (c.MaskPath is not { } maskPath) return problems;
        var labels = Attempt(problems, maskPath, () => NiftiReader.Read(maskPath), ProblemKind.Unreadable);
        if (labels is null) return problems;
        var labelGrid = Attempt(problems, maskPath, () => new VolumeGeometry(labels.Header, maskPath), ProblemKind.Unreadable);
        if (grid is not null && labelGrid is not null && !labelGrid.SameGrid(grid))
            problems.Add(new(maskPath, ProblemKind.Size, labelGrid.Size.SequenceEqual(grid.Size)
                ? $"{maskPath}: label volume's affine differs from its image {c.ImagePaths[0]} (the two must share one grid)."
                : $"{maskPath}: label volume is {string.Join(" x ", labelGrid.Size)} voxels but its image {c.ImagePaths[0]} is {string.Join(" x ", grid.Size)}."));
        Attempt(problems, maskPath, () =>
        {
            var values = SegmentationDataset.LabelValues(labels, maskPath);
            dataset.Labels.ToClassesInPlace(values, maskPath);
            return values;
        }, ProblemKind.Labels);
        return problems;
    }

    /// <summary>
    /// Runs one check; a problem with the file becomes a <see cref="DatasetProblem"/> of <paramref name="kind"/>
    /// (an undecodable file is <see cref="ProblemKind.Unreadable"/> or <see cref="ProblemKind.Truncated"/> whatever
    /// the step) and the result is null. Other exceptions are faults of SoSeg and propagate.
    /// </summary>
    static T? Attempt<T>(List<DatasetProblem> problems, string path, Func<T> check, ProblemKind kind) where T : class
    {
        try
        {
            return check();
        }
        catch (SoSegException e) when (e.UnreadableFile)
        {
            problems.Add(new(path, e.Truncated ? ProblemKind.Truncated : ProblemKind.Unreadable, e.Message));
        }
        catch (SoSegException e)
        {
            problems.Add(new(path, kind, e.Message));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            problems.Add(new(path, ProblemKind.Unreadable, $"{path}: cannot be read ({e.Message})."));
        }
        return null;
    }

    /// <summary>Images whose bytes equal an image of another case: each later one is reported against the first.</summary>
    static IEnumerable<DatasetProblem> Duplicates(IReadOnlyList<DatasetCase> cases, CaseFacts[] facts)
    {
        var firstWith = new Dictionary<string, (string Path, string Case)>(StringComparer.Ordinal);
        for (int i = 0; i < cases.Count; i++)
            for (int k = 0; k < cases[i].ImagePaths.Count && k < facts[i].ImageHashes.Count; k++)
            {
                if (facts[i].ImageHashes[k] is not { } hash) continue;
                string path = cases[i].ImagePaths[k];
                if (!firstWith.TryGetValue(hash, out var first)) firstWith[hash] = (path, cases[i].Id);
                else if (first.Case != cases[i].Id)
                    yield return new DatasetProblem(path, ProblemKind.Duplicate,
                        $"{path}: the same file as {first.Path} (case {first.Case}); a case counted twice (or in both training and test) skews training and scores.");
            }
    }
}
