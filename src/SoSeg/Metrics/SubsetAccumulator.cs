namespace SoSeg.Metrics;

/// <summary>
/// Running sums of one image subset (a size stratum or a group) for both protocols: per-class pixel counts
/// and class presence for the dataset-level protocol, nanmeans of per-image scores and of the per-threshold
/// curves for the per-image protocol. Memory does not grow with the number of images.
/// </summary>
internal sealed class SubsetAccumulator
{
    private readonly int _classes;
    private readonly long[] _intersection, _predicted, _groundTruth, _imagesContaining;
    private long _absoluteError, _pixels, _images, _imagesWithObjects;
    private readonly ScoreMeans _foreground;
    private readonly ScoreMeans[] _perClass;

    public SubsetAccumulator(int classCount)
    {
        _classes = classCount;
        _intersection = new long[classCount];
        _predicted = new long[classCount];
        _groundTruth = new long[classCount];
        _imagesContaining = new long[classCount];
        _foreground = new ScoreMeans();
        _perClass = new ScoreMeans[classCount];
        for (int c = 0; c < classCount; c++) _perClass[c] = new ScoreMeans();
    }

    public long ImageCount => _images;

    public void Add(ImageMeasurement m)
    {
        _images++;
        if (m.ObjectCount > 0) _imagesWithObjects++;
        for (int c = 0; c < _classes; c++)
        {
            long g = m.GroundTruthPixels(c);
            _intersection[c] += m.Intersection(c);
            _predicted[c] += m.PredictedPixels(c);
            _groundTruth[c] += g;
            if (g > 0) _imagesContaining[c]++;
        }
        _absoluteError += m.ClassIndexAbsoluteError;
        _pixels += m.ValidPixels;

        _foreground.Add(m.ForegroundScores, m.ForegroundMae, m.HasCurves ? m.ForegroundDiceCurve : null, m.HasCurves ? m.ForegroundIoUCurve : null);
        for (int c = 1; c < _classes; c++)
            _perClass[c].Add(m.ClassScores[c], m.ClassMae[c], m.HasCurves ? m.ClassDiceCurves[c] : null, m.HasCurves ? m.ClassIoUCurves[c] : null);
    }

    public SubsetReport ToReport(string name, double? areaRatioBelow, IReadOnlyList<string> classNames)
    {
        var classes = new ClassMetrics[_classes];
        for (int c = 0; c < _classes; c++)
        {
            var s = BinaryScores.DatasetLevel(_intersection[c], _predicted[c], _groundTruth[c]);
            classes[c] = new ClassMetrics
            {
                Index = c,
                Name = classNames[c],
                Intersection = _intersection[c],
                Union = _predicted[c] + _groundTruth[c] - _intersection[c],
                Predicted = _predicted[c],
                GroundTruth = _groundTruth[c],
                ImagesContaining = _imagesContaining[c],
                IoU = Defined(s.IoU),
                Dice = Defined(s.Dice),
                Precision = Defined(s.Precision),
                Recall = Defined(s.Recall),
                F2 = Defined(s.F2),
            };
        }
        double mae = _pixels > 0 ? (double)_absoluteError / _pixels : double.NaN;
        var perClass = new List<ClassPerImageMeans>();
        if (_classes > 2)
            for (int c = 1; c < _classes; c++)
                perClass.Add(new ClassPerImageMeans { Index = c, Name = classNames[c], Means = _perClass[c].ToMeans() });
        return new SubsetReport
        {
            Name = name,
            AreaRatioBelow = areaRatioBelow,
            ImageCount = _images,
            ImagesWithObjects = _imagesWithObjects,
            Dataset = new DatasetLevelMetrics
            {
                Classes = classes,
                Weighted = WeightedMeans(classes, 0),
                Unweighted = UnweightedMeans(classes),
                Foreground = WeightedMeans(classes, 1),
                Mae = Defined(mae),
                MaeDividedByImageCount = _images > 0 ? Defined(mae / _images) : null,
                EvaluatedPixels = _pixels,
            },
            PerImage = new PerImageMetrics { Foreground = _foreground.ToMeans(), Classes = perClass },
        };
    }

    /// <summary>
    /// Σ_c w_c m_c / Σ_c w_c with w_c = images containing class c (SvANet <c>manageMetricMM</c>, "micro").
    /// A class with w_c > 0 always has defined values; a class absent from every image has weight 0.
    /// </summary>
    private static MetricMeans WeightedMeans(ClassMetrics[] classes, int firstClass)
    {
        double Mean(Func<ClassMetrics, double?> metric)
        {
            double sum = 0, weight = 0;
            for (int c = firstClass; c < classes.Length; c++)
            {
                long w = classes[c].ImagesContaining;
                if (w == 0) continue;
                sum += w * (metric(classes[c]) ?? 0);
                weight += w;
            }
            return weight > 0 ? sum / weight : double.NaN;
        }
        return Means(Mean);
    }

    private static MetricMeans UnweightedMeans(ClassMetrics[] classes)
    {
        double Mean(Func<ClassMetrics, double?> metric)
        {
            var mean = new RunningMean();
            foreach (var c in classes) mean.Add(metric(c) ?? double.NaN);
            return mean.Mean;
        }
        return Means(Mean);
    }

    /// <summary>Every metric averaged over the classes by <paramref name="mean"/>.</summary>
    private static MetricMeans Means(Func<Func<ClassMetrics, double?>, double> mean) => new()
    {
        IoU = Defined(mean(m => m.IoU)),
        Dice = Defined(mean(m => m.Dice)),
        Precision = Defined(mean(m => m.Precision)),
        Recall = Defined(mean(m => m.Recall)),
        F2 = Defined(mean(m => m.F2)),
    };

    internal static double? Defined(double value) => double.IsNaN(value) ? null : value;

    /// <summary>Nanmeans of one binary target's per-image scores and per-threshold curves.</summary>
    private sealed class ScoreMeans
    {
        private RunningMean _dice, _iou, _precision, _recall, _f2, _mae;
        private readonly RunningMean[] _diceCurve = new RunningMean[ImageMeasurement.Thresholds];
        private readonly RunningMean[] _iouCurve = new RunningMean[ImageMeasurement.Thresholds];
        private bool _hasCurves;

        public void Add(BinaryScores scores, double mae, double[]? diceCurve, double[]? iouCurve)
        {
            _dice.Add(scores.Dice);
            _iou.Add(scores.IoU);
            _precision.Add(scores.Precision);
            _recall.Add(scores.Recall);
            _f2.Add(scores.F2);
            _mae.Add(mae);
            if (diceCurve is null || iouCurve is null) return;
            _hasCurves = true;
            for (int k = 0; k < ImageMeasurement.Thresholds; k++)
            {
                _diceCurve[k].Add(diceCurve[k]);
                _iouCurve[k].Add(iouCurve[k]);
            }
        }

        public PerImageMeans ToMeans()
        {
            (double meanDice, double maxDice) = _hasCurves ? Summarise(_diceCurve) : (double.NaN, double.NaN);
            (double meanIoU, double maxIoU) = _hasCurves ? Summarise(_iouCurve) : (double.NaN, double.NaN);
            return new PerImageMeans
            {
                Dice = Defined(_dice.Mean),
                IoU = Defined(_iou.Mean),
                Precision = Defined(_precision.Mean),
                Recall = Defined(_recall.Mean),
                F2 = Defined(_f2.Mean),
                Mae = Defined(_mae.Mean),
                ScoredImages = _dice.Count,
                MeanDiceOverThresholds = Defined(meanDice),
                MeanIoUOverThresholds = Defined(meanIoU),
                MaxDiceOverThresholds = Defined(maxDice),
                MaxIoUOverThresholds = Defined(maxIoU),
            };
        }

        /// <summary>PraNet: column means over images per threshold, then their mean and their maximum.</summary>
        private static (double Mean, double Max) Summarise(RunningMean[] curve)
        {
            var mean = new RunningMean();
            double max = double.NaN;
            foreach (var column in curve)
            {
                double value = column.Mean;
                if (double.IsNaN(value)) continue;
                mean.Add(value);
                if (double.IsNaN(max) || value > max) max = value;
            }
            return (mean.Mean, max);
        }
    }
}
