using SoSeg.Data.Statistics;
namespace SoSeg.Metrics;

/// <summary>
/// Measures one image in linear passes over its pixels: the confusion matrix, the per-image scores, the
/// ground-truth and predicted objects with their matching, and (with probabilities) the continuous maps'
/// MAE and 256-threshold curves. Scratch buffers are reused, so no per-pixel or per-image allocation
/// happens once the largest image size has been seen. Not thread-safe.
/// </summary>
internal sealed class ImageAnalyzer
{
    private const float ProbabilityTolerance = 1e-3f;
    private static readonly double[] ThresholdValues = BuildThresholds();

    private readonly int _classes;
    private readonly EvaluationOptions _options;
    private readonly ImageMeasurement _measurement;
    private readonly Dictionary<long, int> _overlaps = new();
    private byte[] _maskedPrediction = [];
    private int[] _groundTruthLabels = [];
    private int[] _predictionLabels = [];
    private float[] _continuous = [];
    private int[] _gtArea = [], _predArea = [], _gtOverlap = [];
    private long[] _gtTouchingPredArea = [];
    private byte[] _gtClass = [], _predClass = [];
    private bool[] _gtFound = [], _predMatched = [];
    private readonly long[] _foregroundHistogram = new long[ImageMeasurement.Thresholds];
    private readonly long[] _backgroundHistogram = new long[ImageMeasurement.Thresholds];

    public ImageAnalyzer(int classCount, EvaluationOptions options)
    {
        _classes = classCount;
        _options = options;
        _measurement = new ImageMeasurement(classCount);
    }

    /// <summary>Measures one image; the returned object is overwritten by the next call.</summary>
    public ImageMeasurement Analyze(string imageId, ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> groundTruth,
        int height, int width, ReadOnlySpan<float> probabilities)
    {
        if (height <= 0 || width <= 0) throw new ArgumentException($"Image '{imageId}': size {height} x {width} is not positive.");
        int pixels = checked(height * width);
        if (prediction.Length != pixels)
            throw new ArgumentException($"Image '{imageId}': prediction holds {prediction.Length} pixels, expected {height} x {width} = {pixels}.");
        if (groundTruth.Length != pixels)
            throw new ArgumentException($"Image '{imageId}': ground truth holds {groundTruth.Length} pixels, expected {height} x {width} = {pixels}.");
        if (!probabilities.IsEmpty && probabilities.Length != (long)_classes * pixels)
            throw new ArgumentException($"Image '{imageId}': probabilities hold {probabilities.Length} values, expected {_classes} x {height} x {width} = {(long)_classes * pixels}.");

        EnsureCapacity(pixels);
        var m = _measurement;
        m.Clear();
        m.Height = height;
        m.Width = width;

        CountPixels(imageId, prediction, groundTruth, pixels);
        ScorePerImage();
        MeasureObjects(groundTruth, height, width);
        if (!probabilities.IsEmpty) MeasureContinuous(imageId, groundTruth, probabilities, pixels);
        return m;
    }

    /// <summary>Confusion matrix, authors' absolute class-index error, and the prediction with ignored pixels cleared.</summary>
    private void CountPixels(string imageId, ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> groundTruth, int pixels)
    {
        var m = _measurement;
        long[] confusion = m.Confusion;
        int k = _classes;
        long ignored = 0;
        Span<byte> masked = _maskedPrediction.AsSpan(0, pixels);
        for (int i = 0; i < pixels; i++)
        {
            int g = groundTruth[i];
            if (g == 255) { ignored++; masked[i] = 0; continue; }
            int p = prediction[i];
            if (g >= k) throw new ArgumentException($"Image '{imageId}': ground-truth pixel {i} has class {g}, but there are {k} classes (255 = ignore).");
            if (p >= k) throw new ArgumentException($"Image '{imageId}': predicted pixel {i} has class {p}, but there are {k} classes.");
            confusion[g * k + p]++;
            masked[i] = (byte)p;
        }
        m.IgnoredPixels = ignored;
        long absoluteError = 0;
        for (int g = 0; g < k; g++)
            for (int p = 0; p < k; p++)
                absoluteError += confusion[g * k + p] * Math.Abs(g - p);
        m.ClassIndexAbsoluteError = absoluteError;
    }

    /// <summary>Per-image binary scores and binary-map MAE, foreground union and per class, from the confusion matrix.</summary>
    private void ScorePerImage()
    {
        var m = _measurement;
        int k = _classes;
        long valid = m.ValidPixels;
        long tp = 0, predictedForeground = 0, groundTruthForeground = 0;
        for (int g = 0; g < k; g++)
            for (int p = 0; p < k; p++)
            {
                long n = m.Confusion[g * k + p];
                if (g != 0 && p != 0) tp += n;
                if (p != 0) predictedForeground += n;
                if (g != 0) groundTruthForeground += n;
            }
        long fp = predictedForeground - tp, fn = groundTruthForeground - tp;
        if (valid == 0)
        {
            // Every pixel ignored: nothing to score, whatever the empty-case policy.
            m.ForegroundScores = BinaryScores.Undefined;
            m.ForegroundMae = double.NaN;
            for (int c = 1; c < k; c++) { m.ClassScores[c] = BinaryScores.Undefined; m.ClassMae[c] = double.NaN; }
            return;
        }
        m.ForegroundScores = BinaryScores.PerImage(tp, fp, fn, _options.EmptyCase);
        m.ForegroundMae = (double)(fp + fn) / valid;
        for (int c = 1; c < k; c++)
        {
            long i = m.Intersection(c);
            long fpc = m.PredictedPixels(c) - i, fnc = m.GroundTruthPixels(c) - i;
            m.ClassScores[c] = BinaryScores.PerImage(i, fpc, fnc, _options.EmptyCase);
            m.ClassMae[c] = (double)(fpc + fnc) / valid;
        }
    }

    /// <summary>
    /// Labels ground-truth and predicted objects (8-connected components of one class), then matches them: a
    /// ground-truth object is found when same-class predicted pixels overlap it and
    /// IoU(object, union of the predicted components touching it) reaches <see cref="EvaluationOptions.DetectionMinIoU"/>;
    /// a predicted component is a true positive when it touches a found object of its class.
    /// </summary>
    private void MeasureObjects(ReadOnlySpan<byte> groundTruth, int height, int width)
    {
        var m = _measurement;
        int pixels = height * width;
        double imageArea = pixels;
        Span<int> gtLabels = _groundTruthLabels.AsSpan(0, pixels);
        Span<int> predLabels = _predictionLabels.AsSpan(0, pixels);
        ReadOnlySpan<byte> masked = _maskedPrediction.AsSpan(0, pixels);
        int gtCount = ConnectedComponents.LabelAllClasses(groundTruth, height, width, gtLabels);
        int predCount = ConnectedComponents.LabelAllClasses(masked, height, width, predLabels);
        EnsureObjectCapacity(gtCount + 1, predCount + 1);
        Array.Clear(_gtArea, 0, gtCount + 1);
        Array.Clear(_gtOverlap, 0, gtCount + 1);
        Array.Clear(_gtTouchingPredArea, 0, gtCount + 1);
        Array.Clear(_gtFound, 0, gtCount + 1);
        Array.Clear(_predArea, 0, predCount + 1);
        Array.Clear(_predMatched, 0, predCount + 1);
        _overlaps.Clear();

        long lastKey = -1;
        int lastCount = 0;
        for (int i = 0; i < pixels; i++)
        {
            int gl = gtLabels[i], pl = predLabels[i];
            if (gl != 0) { _gtArea[gl]++; _gtClass[gl] = groundTruth[i]; }
            if (pl != 0) { _predArea[pl]++; _predClass[pl] = masked[i]; }
            if (gl != 0 && pl != 0 && groundTruth[i] == masked[i])
            {
                // Overlapping pixels come in runs of the same pair: count a run, store it once.
                long key = ((long)gl << 32) | (uint)pl;
                if (key == lastKey) { lastCount++; continue; }
                FlushPair(lastKey, lastCount);
                lastKey = key;
                lastCount = 1;
            }
        }
        FlushPair(lastKey, lastCount);

        foreach (var (key, overlap) in _overlaps)
        {
            int gl = (int)(key >> 32), pl = (int)(key & 0xFFFFFFFF);
            _gtOverlap[gl] += overlap;
            _gtTouchingPredArea[gl] += _predArea[pl];
        }
        double minIoU = _options.DetectionMinIoU;
        for (int g = 1; g <= gtCount; g++)
        {
            long overlap = _gtOverlap[g];
            if (overlap == 0) continue;
            double iou = overlap / (double)(_gtArea[g] + _gtTouchingPredArea[g] - overlap);
            _gtFound[g] = iou >= minIoU;
        }
        foreach (var (key, _) in _overlaps)
        {
            int gl = (int)(key >> 32), pl = (int)(key & 0xFFFFFFFF);
            if (_gtFound[gl]) _predMatched[pl] = true;
        }

        m.ObjectCount = gtCount;
        for (int g = 1; g <= gtCount; g++)
        {
            double ratio = _gtArea[g] / imageArea;
            if (ratio > m.LargestObjectRatio) m.LargestObjectRatio = ratio;
            if (ratio < m.SmallestObjectRatio) m.SmallestObjectRatio = ratio;
            int c = _gtClass[g];
            for (int s = SizeStrata.Narrowest(ratio, _options); s < SizeStrata.Count; s++)
            {
                m.GroundTruthObjects[c, s]++;
                if (_gtFound[g]) m.FoundObjects[c, s]++;
            }
        }
        for (int p = 1; p <= predCount; p++)
        {
            int c = _predClass[p];
            for (int s = SizeStrata.Narrowest(_predArea[p] / imageArea, _options); s < SizeStrata.Count; s++)
            {
                m.PredictedObjects[c, s]++;
                if (_predMatched[p]) m.MatchedPredictions[c, s]++;
            }
        }
    }

    private void FlushPair(long key, int count)
    {
        if (count == 0) return;
        _overlaps[key] = _overlaps.GetValueOrDefault(key) + count;
    }

    /// <summary>
    /// Continuous maps (PraNet protocol): foreground S = Σ_{c ≥ 1} p_c against label != 0, and for K > 2 each
    /// class S = p_c against label == c; optionally min-max normalised; MAE = mean |S - G|; Dice and IoU of
    /// S ≥ t for the 256 thresholds t = k/255.
    /// </summary>
    private void MeasureContinuous(string imageId, ReadOnlySpan<byte> groundTruth, ReadOnlySpan<float> probabilities, int pixels)
    {
        var m = _measurement;
        Span<float> foreground = _continuous.AsSpan(0, pixels);
        foreground.Clear();
        for (int c = 1; c < _classes; c++)
        {
            ReadOnlySpan<float> plane = probabilities.Slice(c * pixels, pixels);
            for (int i = 0; i < pixels; i++)
            {
                float v = plane[i];
                if (!(v >= -ProbabilityTolerance && v <= 1 + ProbabilityTolerance))
                    throw new ArgumentException($"Image '{imageId}': probability of class {c} at pixel {i} is {v}, outside [0, 1].");
                foreground[i] += v;
            }
        }
        m.ForegroundMae = Sweep(foreground, groundTruth, -1, m.ForegroundDiceCurve, m.ForegroundIoUCurve);
        if (_classes > 2)
            for (int c = 1; c < _classes; c++)
                m.ClassMae[c] = Sweep(probabilities.Slice(c * pixels, pixels), groundTruth, c, m.ClassDiceCurves[c], m.ClassIoUCurves[c]);
        else
        {
            m.ClassMae[1] = m.ForegroundMae;
            m.ForegroundDiceCurve.CopyTo(m.ClassDiceCurves[1], 0);
            m.ForegroundIoUCurve.CopyTo(m.ClassIoUCurves[1], 0);
        }
        m.HasCurves = true;
    }

    /// <summary>One continuous map against one binary target (<paramref name="targetClass"/> -1 = any foreground class). Returns the MAE.</summary>
    private double Sweep(ReadOnlySpan<float> map, ReadOnlySpan<byte> groundTruth, int targetClass, double[] diceCurve, double[] iouCurve)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        for (int i = 0; i < map.Length; i++)
        {
            if (groundTruth[i] == 255) continue;
            float v = map[i];
            if (v < min) min = v;
            if (v > max) max = v;
        }
        if (min > max)
        {
            // Every pixel is ignored: nothing to score.
            Array.Fill(diceCurve, double.NaN);
            Array.Fill(iouCurve, double.NaN);
            return double.NaN;
        }
        bool normalise = _options.NormalizeContinuousMap && max > min;
        // Divide (not multiply by a reciprocal) so the maximum maps to exactly 1 and stays predicted at every threshold.
        double offset = normalise ? min : 0, range = normalise ? (double)max - min : 1.0;

        Array.Clear(_foregroundHistogram);
        Array.Clear(_backgroundHistogram);
        double absoluteError = 0;
        long valid = 0;
        for (int i = 0; i < map.Length; i++)
        {
            byte g = groundTruth[i];
            if (g == 255) continue;
            double s = Math.Clamp((map[i] - offset) / range, 0.0, 1.0);
            bool positive = targetClass < 0 ? g != 0 : g == targetClass;
            absoluteError += positive ? 1.0 - s : s;
            valid++;
            int bin = ThresholdBin(s);
            if (positive) _foregroundHistogram[bin]++;
            else _backgroundHistogram[bin]++;
        }

        long positives = 0;
        foreach (long n in _foregroundHistogram) positives += n;
        long tp = 0, predicted = 0;
        // Thresholds from high to low: S ≥ k/255 holds the pixels of bins k..255.
        for (int k = ImageMeasurement.Thresholds - 1; k >= 0; k--)
        {
            tp += _foregroundHistogram[k];
            predicted += _foregroundHistogram[k] + _backgroundHistogram[k];
            var scores = BinaryScores.PerImage(tp, predicted - tp, positives - tp, _options.EmptyCase);
            diceCurve[k] = scores.Dice;
            iouCurve[k] = scores.IoU;
        }
        return absoluteError / valid;
    }

    /// <summary>The largest k in 0..255 with s ≥ k/255 (thresholds as PraNet's <c>1:-1/255:0</c>).</summary>
    internal static int ThresholdBin(double s)
    {
        int k = (int)(s * 255);
        if (k > 255) k = 255;
        if (k < 0) k = 0;
        while (k < 255 && s >= ThresholdValues[k + 1]) k++;
        while (k > 0 && s < ThresholdValues[k]) k--;
        return k;
    }

    private static double[] BuildThresholds()
    {
        var t = new double[ImageMeasurement.Thresholds];
        for (int k = 0; k < t.Length; k++) t[k] = k / 255.0;
        return t;
    }

    private void EnsureCapacity(int pixels)
    {
        if (_maskedPrediction.Length >= pixels) return;
        _maskedPrediction = new byte[pixels];
        _groundTruthLabels = new int[pixels];
        _predictionLabels = new int[pixels];
        _continuous = new float[pixels];
    }

    private void EnsureObjectCapacity(int gt, int pred)
    {
        if (_gtArea.Length < gt)
        {
            int size = Math.Max(gt, _gtArea.Length * 2);
            _gtArea = new int[size];
            _gtOverlap = new int[size];
            _gtTouchingPredArea = new long[size];
            _gtClass = new byte[size];
            _gtFound = new bool[size];
        }
        if (_predArea.Length < pred)
        {
            int size = Math.Max(pred, _predArea.Length * 2);
            _predArea = new int[size];
            _predClass = new byte[size];
            _predMatched = new bool[size];
        }
    }
}
