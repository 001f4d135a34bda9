using SoSeg.Data;

namespace SoSeg.Metrics;

/// <summary>
/// Evaluates predicted class maps against ground truth with the SoSegFormer paper's metrics (mIoU, mDice,
/// MAE, Precision, Recall, F2) in two protocols, split by object size, plus object-level detection by size.
/// Lifecycle like MONAI's metrics: <see cref="Add(string, ReadOnlySpan{byte}, ReadOnlySpan{byte}, int, int, ReadOnlySpan{float}, string?)"/>
/// per image, <see cref="Compute"/> for the report (any number of times), <see cref="Reset"/> to start over.
/// Memory per image is one small result row; pixels are not kept. Not thread-safe.
/// Definitions: docs/metrics.md.
/// </summary>
public sealed class SegmentationEvaluator
{
    private readonly string[] _classNames;
    private readonly EvaluationOptions _options;
    private readonly ImageAnalyzer _analyzer;
    private SubsetAccumulator[] _strata = [];
    private readonly List<(string Group, SubsetAccumulator Accumulator)> _groups = new();
    private readonly Dictionary<string, SubsetAccumulator> _groupIndex = new(StringComparer.Ordinal);
    private DetectionAccumulator _detection = null!;
    private readonly List<ImageResult> _images = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private bool? _withProbabilities;

    /// <param name="classNames">Names of classes 0..K-1; class 0 is the background. 2 ≤ K ≤ 255 (255 marks ignored pixels).</param>
    /// <param name="options">Strata thresholds and conventions; null for the defaults.</param>
    public SegmentationEvaluator(IReadOnlyList<string> classNames, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count is < 2 or > 255)
            throw new ArgumentException($"Need between 2 and 255 classes (background first), got {classNames.Count}.", nameof(classNames));
        if (classNames.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("Class names must not be empty.", nameof(classNames));
        if (classNames.Distinct(StringComparer.Ordinal).Count() != classNames.Count)
            throw new ArgumentException($"Class names must be distinct: {string.Join(", ", classNames)}.", nameof(classNames));
        _classNames = classNames.ToArray();
        _options = options ?? new EvaluationOptions();
        _options.Validate();
        _analyzer = new ImageAnalyzer(_classNames.Length, _options);
        Reset();
    }

    /// <summary>K, background included.</summary>
    public int ClassCount => _classNames.Length;
    public IReadOnlyList<string> ClassNames => _classNames;
    public EvaluationOptions Options => _options;
    /// <summary>Images added since construction or the last <see cref="Reset"/>.</summary>
    public int ImageCount => _images.Count;

    /// <summary>
    /// Adds one image. <paramref name="prediction"/> and <paramref name="groundTruth"/> are H x W class maps
    /// (row-major); ground-truth 255 marks ignored pixels, excluded from every metric. Optional
    /// <paramref name="probabilities"/> (K x H x W, e.g. softmax) feed the continuous MAE and the
    /// 256-threshold sweep of the per-image protocol; give them for every image or for none.
    /// </summary>
    /// <returns>The image's own scores (also kept for the per-image CSV).</returns>
    /// <exception cref="ArgumentException">Sizes disagree, a class index is out of range, the id repeats, or probabilities are given for some images only.</exception>
    public ImageResult Add(string imageId, ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> groundTruth, int height, int width,
        ReadOnlySpan<float> probabilities = default, string? group = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        if (_ids.Contains(imageId)) throw new ArgumentException($"Image '{imageId}' was already added.", nameof(imageId));
        bool withProbabilities = !probabilities.IsEmpty;
        if (_withProbabilities is { } expected && expected != withProbabilities)
            throw new ArgumentException($"Image '{imageId}': probabilities must be given for every image or for none (the first image {(expected ? "had" : "had none")}).", nameof(probabilities));

        // Analyse fully before touching any sum, so a rejected image leaves the evaluator unchanged.
        var m = _analyzer.Analyze(imageId, prediction, groundTruth, height, width, probabilities);
        _withProbabilities = withProbabilities;
        _ids.Add(imageId);

        int narrowest = m.ObjectCount == 0
            ? (_options.EmptyImages == EmptyImageStrata.AllStrata ? SizeStrata.UltraSmall : SizeStrata.All)
            : SizeStrata.Narrowest(m.LargestObjectRatio, _options);
        for (int s = narrowest; s < SizeStrata.Count; s++) _strata[s].Add(m);
        if (group is not null)
        {
            if (!_groupIndex.TryGetValue(group, out var accumulator))
            {
                accumulator = new SubsetAccumulator(ClassCount);
                _groupIndex[group] = accumulator;
                _groups.Add((group, accumulator));
            }
            accumulator.Add(m);
        }
        _detection.Add(m);

        var result = ToResult(imageId, group, narrowest, m);
        _images.Add(result);
        return result;
    }

    /// <summary>Adds a decoded sample (id, mask and group taken from it) with its prediction.</summary>
    /// <exception cref="ArgumentException">The sample has no mask.</exception>
    public ImageResult Add(SegmentationSample sample, ReadOnlySpan<byte> prediction, ReadOnlySpan<float> probabilities = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Mask is null) throw new ArgumentException($"Sample '{sample.Id}' has no mask to evaluate against.", nameof(sample));
        return Add(sample.Id, prediction, sample.Mask, sample.Height, sample.Width, probabilities, sample.Origin.Group);
    }

    /// <summary>Builds the report from the images added so far; the evaluator keeps its state.</summary>
    public EvaluationReport Compute()
    {
        var strata = new SubsetReport[SizeStrata.Count];
        for (int s = 0; s < SizeStrata.Count; s++)
            strata[s] = _strata[s].ToReport(SizeStrata.Names[s], SizeStrata.Bound(s, _options), _classNames);
        return new EvaluationReport
        {
            ClassNames = _classNames,
            Options = _options,
            ImageCount = _images.Count,
            ContinuousMapSource = _withProbabilities == true ? "probabilities" : "class map",
            Strata = strata,
            Groups = _groups.Select(g => g.Accumulator.ToReport(g.Group, null, _classNames)).ToList(),
            Objects = _detection.ToReport(_classNames, _options),
            Images = _images.ToList(),
        };
    }

    /// <summary>Forgets every image added.</summary>
    public void Reset()
    {
        _strata = new SubsetAccumulator[SizeStrata.Count];
        for (int s = 0; s < SizeStrata.Count; s++) _strata[s] = new SubsetAccumulator(ClassCount);
        _groups.Clear();
        _groupIndex.Clear();
        _detection = new DetectionAccumulator(ClassCount);
        _images.Clear();
        _ids.Clear();
        _withProbabilities = null;
    }

    private ImageResult ToResult(string id, string? group, int narrowest, ImageMeasurement m)
    {
        double? Defined(double v) => SubsetAccumulator.Defined(v);
        ImageScores Scores(BinaryScores s, double mae, double[]? diceCurve) => new()
        {
            Dice = Defined(s.Dice),
            IoU = Defined(s.IoU),
            Precision = Defined(s.Precision),
            Recall = Defined(s.Recall),
            F2 = Defined(s.F2),
            Mae = Defined(mae),
            MeanDiceOverThresholds = diceCurve is null ? null : Defined(ImageMeasurement.MeanOfDefined(diceCurve)),
        };

        var classes = new List<ImageClassScores>();
        if (ClassCount > 2)
            for (int c = 1; c < ClassCount; c++)
                classes.Add(new ImageClassScores
                {
                    Index = c,
                    Name = _classNames[c],
                    Scores = Scores(m.ClassScores[c], m.ClassMae[c], m.HasCurves ? m.ClassDiceCurves[c] : null),
                });

        long Sum(long[,] counts, int stratum)
        {
            long total = 0;
            for (int c = 1; c < ClassCount; c++) total += counts[c, stratum];
            return total;
        }
        long valid = m.ValidPixels;
        return new ImageResult
        {
            Id = id,
            Group = group,
            Height = m.Height,
            Width = m.Width,
            IgnoredPixels = m.IgnoredPixels,
            LargestObjectAreaRatio = m.LargestObjectRatio,
            Stratum = SizeStrata.Names[narrowest],
            Foreground = Scores(m.ForegroundScores, m.ForegroundMae, m.HasCurves ? m.ForegroundDiceCurve : null),
            Classes = classes,
            ClassIndexMae = valid > 0 ? (double)m.ClassIndexAbsoluteError / valid : null,
            Objects = new ImageObjectCounts
            {
                GroundTruthObjects = Sum(m.GroundTruthObjects, SizeStrata.All),
                UltraSmallObjects = Sum(m.GroundTruthObjects, SizeStrata.UltraSmall),
                SmallObjects = Sum(m.GroundTruthObjects, SizeStrata.Small),
                Found = Sum(m.FoundObjects, SizeStrata.All),
                FoundUltraSmall = Sum(m.FoundObjects, SizeStrata.UltraSmall),
                FoundSmall = Sum(m.FoundObjects, SizeStrata.Small),
                PredictedObjects = Sum(m.PredictedObjects, SizeStrata.All),
                FalsePositives = Sum(m.PredictedObjects, SizeStrata.All) - Sum(m.MatchedPredictions, SizeStrata.All),
            },
        };
    }
}
