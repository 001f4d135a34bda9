using SoSeg.Data.Images;
using SoSeg.Data.Nifti;
using SoSeg.Data.Splits;

namespace SoSeg.Data.Datasets;

/// <summary>
/// A segmentation dataset on disk, in any layout SoSeg reads (SoSeg/nnU-Net, ATLAS, PolypGen, images/masks).
/// Opening lists cases only; <see cref="Items(DatasetSubset, bool?)"/> gives lightweight 2-D references (volumes
/// are cut into axial slices) and <see cref="Load"/> decodes one into a <see cref="SegmentationSample"/>: intensities
/// in [0, 1] (images / 255; volumes clipped to their own 0.5-99.5 percentiles), masks mapped to class indices.
/// Load is thread-safe; decoded volumes are cached (LRU, <see cref="DatasetOptions.VolumeCacheBytes"/>).
/// </summary>
public sealed class SegmentationDataset
{
    readonly VolumeCache _volumes;
    readonly IReadOnlyDictionary<int, byte>? _colourTable;
    readonly string? _manifestPath;
    readonly bool _thresholdMasks;
    readonly byte _foregroundValue;

    SegmentationDataset(DatasetDiscovery discovery, DatasetOptions options, IReadOnlyList<DatasetCase> cases)
    {
        Root = discovery.Root;
        Layout = discovery.Layout;
        Manifest = discovery.Manifest;
        Options = options;
        Labels = LabelMap.From(discovery.Manifest);
        LayoutHasTestSet = discovery.LayoutHasTestSet;
        Cases = cases;
        TrainCases = cases.Where(c => c.Subset == DatasetSubset.Train).ToList();
        TestCases = cases.Where(c => c.Subset == DatasetSubset.Test).ToList();
        IsVolumetric = cases.Any(c => c.IsVolume);
        _manifestPath = discovery.ManifestPath;
        _thresholdMasks = discovery.BinaryThresholdMasks;
        _foregroundValue = (byte)discovery.Manifest.Labels.Max(l => l.Value);
        _colourTable = Manifest.ColourMap is null ? null : LabelMap.ColourTable(Manifest, _manifestPath ?? Root);
        _volumes = new VolumeCache(options.VolumeCacheBytes);
    }

    /// <summary>
    /// Opens a dataset folder: detects (or uses the given) layout, lists and checks its cases, and assigns the
    /// test set: the layout's own (imagesTs/, test/), else test_split.json when present, else a seeded hold-out
    /// of <see cref="DatasetOptions.TestFraction"/> (stratified by centre for PolypGen). Opening writes nothing.
    /// </summary>
    public static SegmentationDataset Open(string folder, DatasetOptions? options = null)
    {
        options ??= new DatasetOptions();
        options.Validate();
        if (!Directory.Exists(folder)) throw new SoSegException($"{folder}: dataset folder not found.");
        var layout = options.Layout == DatasetLayout.Auto ? DetectLayout(folder) : options.Layout;
        var discovery = DatasetLayouts.Get(layout).Discover(folder, options);
        if (discovery.Cases.Count == 0)
            throw new SoSegException($"{discovery.Root}: empty dataset: no images found for the {discovery.Layout} layout.");
        if (discovery.Cases.All(c => c.Subset == DatasetSubset.Test))
            throw new SoSegException($"{discovery.Root}: no training images (imagesTr/ is empty).");

        var cases = discovery.LayoutHasTestSet ? discovery.Cases : HoldOut(discovery, options);
        return new SegmentationDataset(discovery, options, cases);
    }

    /// <summary>The layout of <paramref name="folder"/> (<see cref="DatasetLayouts.Detect"/>): ATLAS (imN.nii.gz), SoSeg (dataset.json + imagesTr/), PolypGen (data_Ck/), or images/ + masks/ (Original/ + Ground Truth/).</summary>
    public static DatasetLayout DetectLayout(string folder) => DatasetLayouts.Detect(folder);

    /// <summary>The folder the cases were listed from (may be below the folder given to <see cref="Open"/>).</summary>
    public string Root { get; }
    public DatasetLayout Layout { get; }
    /// <summary>dataset.json, or the layout's built-in description (PolypGen, ATLAS release).</summary>
    public DatasetManifest Manifest { get; }
    public DatasetOptions Options { get; }
    /// <summary>Label values to class indices.</summary>
    public LabelMap Labels { get; }
    public int Channels => Manifest.Channels;
    public int NumClasses => Labels.NumClasses;
    public bool IsVolumetric { get; }
    /// <summary>True when the test set comes from the layout; false when it is a seeded hold-out.</summary>
    public bool LayoutHasTestSet { get; }
    public IReadOnlyList<DatasetCase> Cases { get; }
    public IReadOnlyList<DatasetCase> TrainCases { get; }
    public IReadOnlyList<DatasetCase> TestCases { get; }
    /// <summary>Folder of splits_final.json and test_split.json.</summary>
    public string SplitsFolder => Options.SplitsFolder ?? Root;

    /// <summary>2-D items of one subset.</summary>
    public IReadOnlyList<DatasetItem> Items(DatasetSubset subset, bool? dropEmptySlices = null) =>
        Items(subset == DatasetSubset.Train ? TrainCases : TestCases, dropEmptySlices);

    /// <summary>
    /// 2-D items of <paramref name="cases"/>: one per image, one per slice of a volume. With
    /// <paramref name="dropEmptySlices"/> (default: the options' value) slices without foreground are left out,
    /// which needs the label volumes (decoded once, then cached).
    /// </summary>
    public IReadOnlyList<DatasetItem> Items(IEnumerable<DatasetCase> cases, bool? dropEmptySlices = null)
    {
        bool drop = dropEmptySlices ?? Options.DropEmptySlices;
        var items = new List<DatasetItem>();
        foreach (var c in cases)
        {
            if (!c.IsVolume)
            {
                items.Add(new DatasetItem(c.Id, c, null));
                continue;
            }
            IEnumerable<int> slices;
            if (drop && c.MaskPath is not null) slices = LabelVolume(c).ForegroundSlices!;
            else slices = Enumerable.Range(0, GetGeometry(c).SliceCount);
            foreach (int s in slices) items.Add(new DatasetItem($"{c.Id}_z{s:D3}", c, s));
        }
        return items;
    }

    /// <summary>
    /// A train/validation fold over the training cases. Without <paramref name="splitsFile"/>: from
    /// splits_final.json in <see cref="SplitsFolder"/> when it exists (reused as is), else made and written
    /// there, and for a hold-out test set test_split.json too, so later runs use exactly the same cases. With
    /// <paramref name="splitsFile"/> (a file of the same form, e.g. a run's splits.json): read from it when it
    /// exists, else made and written to it; nothing is written into the dataset folder then.
    /// <paramref name="folds"/> = 1 makes one seeded split of <see cref="DatasetOptions.ValidationFraction"/>,
    /// more makes k folds as nnU-Net does.
    /// </summary>
    public DatasetFold GetFold(int fold = 0, int folds = 1, string? splitsFile = null)
    {
        if (folds < 1) throw new SoSegException($"Folds must be at least 1 (got {folds}).");
        string path = splitsFile ?? Path.Combine(SplitsFolder, SplitFile.FoldsFileName);
        if (splitsFile is null)
        {
            Directory.CreateDirectory(SplitsFolder);
            string testPath = Path.Combine(SplitsFolder, SplitFile.TestFileName);
            if (!LayoutHasTestSet && !File.Exists(testPath))
                WriteSplitFile(testPath, () => SplitFile.WriteTest(testPath, new TestSplit(
                    TrainCases.Select(c => c.Id).ToList(), TestCases.Select(c => c.Id).ToList(), Options.SplitSeed, Options.TestFraction)));
        }

        var trainIds = TrainCases.Select(c => c.Id).ToList();
        IReadOnlyList<SplitFold> splits;
        if (File.Exists(path))
        {
            splits = SplitFile.ReadFolds(path);
            CheckFolds(splits, trainIds, path);
        }
        else
        {
            splits = folds == 1
                ? [CaseSplitter.RandomSplit(trainIds, Options.ValidationFraction, Options.SplitSeed)]
                : CaseSplitter.KFold(trainIds, folds, Options.SplitSeed);
            WriteSplitFile(path, () => SplitFile.WriteFolds(path, splits));
        }
        if (fold < 0 || fold >= splits.Count)
            throw new SoSegException($"{path}: fold {fold} does not exist (the file holds {splits.Count} fold(s); delete it to make new ones).");
        var byId = TrainCases.ToDictionary(c => c.Id, StringComparer.Ordinal);
        return new DatasetFold(fold, splits.Count, splits[fold].Train.Select(id => byId[id]).ToList(), splits[fold].Val.Select(id => byId[id]).ToList(), path);
    }

    /// <summary>The grid and slicing of a volume case (header read only; cached volumes answer without reading).</summary>
    public VolumeGeometry GetGeometry(DatasetCase volumeCase)
    {
        if (!volumeCase.IsVolume) throw new ArgumentException($"{volumeCase.Id} is a 2-D image, not a volume.", nameof(volumeCase));
        var cached = _volumes.Peek("image:" + volumeCase.Id) ?? _volumes.Peek("labels:" + volumeCase.Id);
        return cached?.Geometry ?? VolumeGeometry.Read(volumeCase.ImagePaths[0]);
    }

    /// <summary>An assembler that writes per-slice predictions of <paramref name="volumeCase"/> back as a NIfTI label volume on its grid.</summary>
    public VolumeAssembler CreateAssembler(DatasetCase volumeCase) => new(GetGeometry(volumeCase), Labels);

    /// <summary>Decodes one item: image (C x H x W in [0, 1]) and mask (class indices), with checks that name the file.</summary>
    public SegmentationSample Load(DatasetItem item)
    {
        if (item.Case.IsVolume) return LoadSlice(item);
        var (image, height, width) = LoadImage(item.Case);
        byte[]? mask = item.Case.MaskPath is null ? null : LoadImageMask(item.Case, height, width);
        return new SegmentationSample
        {
            Id = item.Id,
            Channels = Channels,
            Height = height,
            Width = width,
            Image = image,
            Mask = mask,
            Origin = item.Origin,
        };
    }

    /// <summary>The foreground classes (indices, ascending) an item's mask holds; empty for unlabelled items or background only.</summary>
    public IReadOnlyList<byte> ForegroundClasses(DatasetItem item)
    {
        var (mask, _, _) = LoadMask(item);
        if (mask is null) return [];
        Span<bool> present = stackalloc bool[256];
        foreach (byte v in mask) present[v] = true;
        var classes = new List<byte>();
        for (int c = 1; c < NumClasses; c++) if (present[c]) classes.Add((byte)c);
        return classes;
    }

    /// <summary>Only the mask of an item (class indices), without decoding the image; null for unlabelled items.</summary>
    public (byte[]? Mask, int Height, int Width) LoadMask(DatasetItem item)
    {
        if (item.Case.IsVolume)
        {
            var volume = LabelVolume(item.Case);
            var g = volume.Geometry;
            if (volume.Classes is null) return (null, g.SliceHeight, g.SliceWidth);
            var slice = new byte[g.SlicePixels];
            g.ExtractSlice<byte>(volume.Classes, item.SliceIndex!.Value, slice);
            return (slice, g.SliceHeight, g.SliceWidth);
        }
        if (item.Case.MaskPath is null)
        {
            var (w, h, _) = ImageReader.ReadInfo(item.Case.ImagePaths[0]);
            return (null, h, w);
        }
        var mask = ReadMaskValues(item.Case.MaskPath);
        Labels.ToClassesInPlace(mask.Values, item.Case.MaskPath);
        return (mask.Values, mask.Height, mask.Width);
    }

    static IReadOnlyList<DatasetCase> HoldOut(DatasetDiscovery discovery, DatasetOptions options)
    {
        string testPath = Path.Combine(options.SplitsFolder ?? discovery.Root, SplitFile.TestFileName);
        var ids = discovery.Cases.Select(c => c.Id).ToList();
        TestSplit split;
        if (File.Exists(testPath))
        {
            split = SplitFile.ReadTest(testPath);
            var listed = split.Train.Concat(split.Test).ToHashSet(StringComparer.Ordinal);
            var unknown = listed.Where(id => !ids.Contains(id)).Take(3).ToArray();
            var missing = ids.Where(id => !listed.Contains(id)).Take(3).ToArray();
            if (unknown.Length > 0 || missing.Length > 0 || listed.Count != split.Train.Count + split.Test.Count)
                throw new SoSegException($"{testPath}: does not match the dataset ({(unknown.Length > 0 ? $"lists unknown case(s) {string.Join(", ", unknown)}" : "")}" +
                                         $"{(unknown.Length > 0 && missing.Length > 0 ? "; " : "")}{(missing.Length > 0 ? $"misses case(s) {string.Join(", ", missing)}" : "")}" +
                                         $"{(listed.Count != split.Train.Count + split.Test.Count ? "lists a case in both train and test" : "")}); delete it to make a new split.");
        }
        else
        {
            var groups = discovery.Cases.ToDictionary(c => c.Id, c => c.Group, StringComparer.Ordinal);
            split = CaseSplitter.HoldOut(ids, options.TestFraction, options.SplitSeed, groups);
        }
        var test = split.Test.ToHashSet(StringComparer.Ordinal);
        return discovery.Cases.Select(c => c.WithSubset(test.Contains(c.Id) ? DatasetSubset.Test : DatasetSubset.Train)).ToList();
    }

    static void CheckFolds(IReadOnlyList<SplitFold> splits, List<string> trainIds, string path)
    {
        var train = trainIds.ToHashSet(StringComparer.Ordinal);
        for (int i = 0; i < splits.Count; i++)
        {
            var fold = splits[i];
            var listed = fold.Train.Concat(fold.Val).ToList();
            string? unknown = listed.FirstOrDefault(id => !train.Contains(id));
            if (unknown is not null)
                throw new SoSegException($"{path}: fold {i} lists case \"{unknown}\", which is not a training case of this dataset; delete the file to re-split.");
            if (fold.Train.Intersect(fold.Val).FirstOrDefault() is { } both)
                throw new SoSegException($"{path}: fold {i} puts case \"{both}\" in both train and val.");
            string? missing = trainIds.FirstOrDefault(id => !listed.Contains(id));
            if (missing is not null)
                throw new SoSegException($"{path}: fold {i} does not list training case \"{missing}\"; delete the file to re-split.");
        }
    }

    static void WriteSplitFile(string path, Action write)
    {
        try { write(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SettingError.Naming(new SoSegException($"{path}: cannot write the split file ({e.Message}); give training an existing split file (Splits).", e), "Splits");
        }
    }

    (float[] Image, int Height, int Width) LoadImage(DatasetCase c)
    {
        var (image, _, height, width) = InputLoader.DecodeImage(c.ImagePaths, Channels,
            _manifestPath is null ? "the dataset" : "dataset.json channel_names", Manifest.ChannelNames);
        return (image, height, width);
    }

    byte[] LoadImageMask(DatasetCase c, int height, int width)
    {
        var mask = ReadMaskValues(c.MaskPath!);
        if (mask.Height != height || mask.Width != width)
            throw new SoSegException($"{c.MaskPath}: mask is {mask.Width} x {mask.Height} pixels but its image {c.ImagePaths[0]} is {width} x {height}.");
        Labels.ToClassesInPlace(mask.Values, c.MaskPath!);
        return mask.Values;
    }

    /// <summary>A 2-D mask file as label values, read the way this dataset stores them (colour map, threshold or values).</summary>
    internal DecodedMask ReadMaskValues(string maskPath)
    {
        if (_colourTable is not null) return MaskReader.Read(maskPath, MaskEncoding.ColourCoded, _colourTable);
        if (_thresholdMasks) return MaskReader.Read(maskPath, MaskEncoding.Threshold, foregroundValue: _foregroundValue);
        if (ImageReader.IsJpeg(maskPath))
        {
            if (Labels.NumClasses != 2)
                throw new SoSegException($"{maskPath}: a JPEG mask cannot hold {Labels.NumClasses} classes exactly (lossy compression); store multi-class masks as PNG.");
            return MaskReader.Read(maskPath, MaskEncoding.Threshold, foregroundValue: _foregroundValue);
        }
        var mask = MaskReader.Read(maskPath, MaskEncoding.Values);
        CheckNotAllIgnore(mask.Values, maskPath);
        return mask;
    }

    /// <summary>
    /// A mask whose only non-zero value is 255 is almost surely a 0/255 binary mask, not "background and
    /// ignore": say so instead of training on nothing.
    /// </summary>
    static void CheckNotAllIgnore(byte[] values, string maskPath)
    {
        bool ignored = false;
        foreach (byte v in values)
        {
            if (v == LabelMap.Ignore) ignored = true;
            else if (v != 0) return;
        }
        if (ignored)
            throw new SoSegException($"{maskPath}: the mask holds only 0 and 255, and 255 is the ignore value; store foreground as its label value " +
                                     "from dataset.json (e.g. 1), or put binary 0/255 masks in an images/ + masks/ layout, where they are thresholded.");
    }

    SegmentationSample LoadSlice(DatasetItem item)
    {
        var volume = _volumes.GetOrLoad("image:" + item.Case.Id, () => DecodeVolume(item.Case, withIntensities: true));
        var g = volume.Geometry;
        int slice = item.SliceIndex ?? throw new ArgumentException($"{item.Id}: a volume item needs a slice index.", nameof(item));
        var image = InputLoader.ExtractSlice(g, volume.Intensities!, volume.Channels, slice);
        byte[]? mask = null;
        if (volume.Classes is not null)
        {
            mask = new byte[g.SlicePixels];
            g.ExtractSlice<byte>(volume.Classes, slice, mask);
        }
        return new SegmentationSample
        {
            Id = item.Id,
            Channels = volume.Channels,
            Height = g.SliceHeight,
            Width = g.SliceWidth,
            Image = image,
            Mask = mask,
            Origin = item.Origin,
        };
    }

    /// <summary>The label volume of a case: the full cached entry when decoded already, else a labels-only entry.</summary>
    LoadedVolume LabelVolume(DatasetCase c) =>
        _volumes.Peek("image:" + c.Id) ?? _volumes.GetOrLoad("labels:" + c.Id, () => DecodeVolume(c, withIntensities: false));

    LoadedVolume DecodeVolume(DatasetCase c, bool withIntensities)
    {
        VolumeGeometry geometry;
        float[]? intensities = null;
        if (withIntensities) (geometry, intensities) = InputLoader.DecodeVolume(c.ImagePaths, Options.LowerPercentile, Options.UpperPercentile);
        else geometry = VolumeGeometry.Read(c.ImagePaths[0]);

        byte[]? classes = null;
        int[]? foreground = null;
        // A labels-only entry was checked against the same image header: reuse its classes instead of re-reading the label file.
        if (withIntensities && c.MaskPath is not null && _volumes.Peek("labels:" + c.Id) is { Classes: not null } labelled && labelled.Geometry.SameGrid(geometry))
        {
            classes = labelled.Classes;
            foreground = labelled.ForegroundSlices;
        }
        else if (c.MaskPath is not null)
        {
            var labels = NiftiReader.Read(c.MaskPath);
            var labelGeometry = new VolumeGeometry(labels.Header, c.MaskPath);
            if (!labelGeometry.Size.SequenceEqual(geometry.Size))
                throw new SoSegException($"{c.MaskPath}: label volume is {string.Join(" x ", labelGeometry.Size)} voxels but its image {c.ImagePaths[0]} is {string.Join(" x ", geometry.Size)}.");
            if (!labelGeometry.SameGrid(geometry))
                throw new SoSegException($"{c.MaskPath}: label volume's affine differs from its image {c.ImagePaths[0]} (the two must share one grid).");
            classes = LabelValues(labels, c.MaskPath);
            Labels.ToClassesInPlace(classes, c.MaskPath);
            foreground = ForegroundSlices(geometry, classes);
        }
        return new LoadedVolume(geometry, withIntensities ? c.ImagePaths.Count : 0, intensities, classes, foreground);
    }

    /// <summary>
    /// Label voxels as bytes; non-integer or out-of-range values fail with the file named. Unscaled UINT8 voxels
    /// come back as the image's own data array (no copy): callers own the image and convert the result in place.
    /// </summary>
    internal static byte[] LabelValues(NiftiImage labels, string path)
    {
        if (labels.DataType == NiftiDataType.UInt8 && !labels.Header.HasScaling) return labels.Data;
        var values = labels.ToFloat();
        var bytes = new byte[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (!(v >= 0 && v <= 255) || v != MathF.Round(v))
            {
                long x = i % labels.SizeX, y = i / labels.SizeX % labels.SizeY, z = i / ((long)labels.SizeX * labels.SizeY);
                throw new SoSegException($"{path}: label value {v} at x={x}, y={y}, z={z} is not an integer label in 0..255.");
            }
            bytes[i] = (byte)v;
        }
        return bytes;
    }

    static int[] ForegroundSlices(VolumeGeometry geometry, byte[] classes)
    {
        var slice = new byte[geometry.SlicePixels];
        var result = new List<int>();
        for (int s = 0; s < geometry.SliceCount; s++)
        {
            geometry.ExtractSlice<byte>(classes, s, slice);
            foreach (byte v in slice)
                if (v != 0 && v != LabelMap.Ignore)
                {
                    result.Add(s);
                    break;
                }
        }
        return result.ToArray();
    }
}
