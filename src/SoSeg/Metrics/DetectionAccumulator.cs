namespace SoSeg.Metrics;

/// <summary>Sums the per-image object counts per foreground class and size bin, and the range of object sizes.</summary>
internal sealed class DetectionAccumulator
{
    private readonly int _classes;
    private readonly long[,] _groundTruth, _found, _predicted, _matched;
    private double _smallestRatio = double.PositiveInfinity, _largestRatio;

    public DetectionAccumulator(int classCount)
    {
        _classes = classCount;
        _groundTruth = new long[classCount, SizeStrata.Count];
        _found = new long[classCount, SizeStrata.Count];
        _predicted = new long[classCount, SizeStrata.Count];
        _matched = new long[classCount, SizeStrata.Count];
    }

    public void Add(ImageMeasurement m)
    {
        for (int c = 1; c < _classes; c++)
            for (int s = 0; s < SizeStrata.Count; s++)
            {
                _groundTruth[c, s] += m.GroundTruthObjects[c, s];
                _found[c, s] += m.FoundObjects[c, s];
                _predicted[c, s] += m.PredictedObjects[c, s];
                _matched[c, s] += m.MatchedPredictions[c, s];
            }
        if (m.ObjectCount > 0)
        {
            _smallestRatio = Math.Min(_smallestRatio, m.SmallestObjectRatio);
            _largestRatio = Math.Max(_largestRatio, m.LargestObjectRatio);
        }
    }

    public DetectionReport ToReport(IReadOnlyList<string> classNames, EvaluationOptions options)
    {
        var bins = new DetectionBin[SizeStrata.Count];
        bool anyObject = !double.IsPositiveInfinity(_smallestRatio);
        for (int s = 0; s < SizeStrata.Count; s++)
        {
            var classes = new List<ClassDetectionCounts>();
            long gt = 0, found = 0, predicted = 0, matched = 0;
            for (int c = 1; c < _classes; c++)
            {
                classes.Add(new ClassDetectionCounts { Index = c, Name = classNames[c], Counts = Counts(c, s) });
                gt += _groundTruth[c, s];
                found += _found[c, s];
                predicted += _predicted[c, s];
                matched += _matched[c, s];
            }
            bins[s] = new DetectionBin
            {
                Name = SizeStrata.Names[s],
                AreaRatioBelow = SizeStrata.Bound(s, options),
                Overall = new DetectionCounts { GroundTruthObjects = gt, Found = found, PredictedObjects = predicted, TruePositivePredictions = matched },
                Classes = classes,
            };
        }
        return new DetectionReport
        {
            MinIoU = options.DetectionMinIoU,
            ObjectAreaRatioMin = anyObject ? _smallestRatio : null,
            ObjectAreaRatioMax = anyObject ? _largestRatio : null,
            Bins = bins,
        };
    }

    private DetectionCounts Counts(int c, int s) => new()
    {
        GroundTruthObjects = _groundTruth[c, s],
        Found = _found[c, s],
        PredictedObjects = _predicted[c, s],
        TruePositivePredictions = _matched[c, s],
    };
}
