namespace SoSeg.Metrics;

/// <summary>
/// Everything the accumulators need from one image, measured in a few linear passes by
/// <see cref="ImageAnalyzer"/>. One instance is reused from image to image, so it must be consumed before
/// the next image is analysed.
/// </summary>
internal sealed class ImageMeasurement
{
    public const int Thresholds = 256;

    public ImageMeasurement(int classCount)
    {
        ClassCount = classCount;
        Confusion = new long[classCount * classCount];
        ClassScores = new BinaryScores[classCount];
        ClassMae = new double[classCount];
        ClassDiceCurves = new double[classCount][];
        ClassIoUCurves = new double[classCount][];
        for (int c = 0; c < classCount; c++)
        {
            ClassDiceCurves[c] = new double[Thresholds];
            ClassIoUCurves[c] = new double[Thresholds];
        }
        GroundTruthObjects = new long[classCount, SizeStrata.Count];
        FoundObjects = new long[classCount, SizeStrata.Count];
        PredictedObjects = new long[classCount, SizeStrata.Count];
        MatchedPredictions = new long[classCount, SizeStrata.Count];
    }

    public int ClassCount { get; }
    public int Height { get; set; }
    public int Width { get; set; }
    public long IgnoredPixels { get; set; }
    public long ValidPixels => (long)Height * Width - IgnoredPixels;

    /// <summary>K x K pixel counts over non-ignored pixels, row = ground-truth class, column = predicted class.</summary>
    public long[] Confusion { get; }

    /// <summary>Σ |predicted class index - ground-truth class index| over non-ignored pixels (the authors' MAE numerator).</summary>
    public long ClassIndexAbsoluteError { get; set; }

    /// <summary>Area ratio of the largest ground-truth object (0 when there is none).</summary>
    public double LargestObjectRatio { get; set; }
    public int ObjectCount { get; set; }
    /// <summary>Smallest ground-truth object area ratio in this image (+∞ when none).</summary>
    public double SmallestObjectRatio { get; set; }

    /// <summary>Per-image scores of the foreground (union of all non-background classes).</summary>
    public BinaryScores ForegroundScores { get; set; }
    public double ForegroundMae { get; set; }
    /// <summary>Per-image scores of each class (index 0, background, unused).</summary>
    public BinaryScores[] ClassScores { get; }
    public double[] ClassMae { get; }

    /// <summary>Whether the curves below were filled (probabilities were given).</summary>
    public bool HasCurves { get; set; }
    public double[] ForegroundDiceCurve { get; } = new double[Thresholds];
    public double[] ForegroundIoUCurve { get; } = new double[Thresholds];
    public double[][] ClassDiceCurves { get; }
    public double[][] ClassIoUCurves { get; }

    /// <summary>Cumulative counts [class, stratum]: an object in stratum s counts in s and every wider stratum.</summary>
    public long[,] GroundTruthObjects { get; }
    public long[,] FoundObjects { get; }
    public long[,] PredictedObjects { get; }
    public long[,] MatchedPredictions { get; }

    public long Intersection(int c) => Confusion[c * ClassCount + c];

    public long GroundTruthPixels(int c)
    {
        long sum = 0;
        for (int p = 0; p < ClassCount; p++) sum += Confusion[c * ClassCount + p];
        return sum;
    }

    public long PredictedPixels(int c)
    {
        long sum = 0;
        for (int g = 0; g < ClassCount; g++) sum += Confusion[g * ClassCount + c];
        return sum;
    }

    public static double MeanOfDefined(ReadOnlySpan<double> values)
    {
        double sum = 0;
        int count = 0;
        foreach (double v in values)
            if (!double.IsNaN(v)) { sum += v; count++; }
        return count > 0 ? sum / count : double.NaN;
    }

    public void Clear()
    {
        Array.Clear(Confusion);
        Array.Clear(GroundTruthObjects);
        Array.Clear(FoundObjects);
        Array.Clear(PredictedObjects);
        Array.Clear(MatchedPredictions);
        Array.Clear(ClassScores);
        Array.Clear(ClassMae);
        IgnoredPixels = 0;
        ClassIndexAbsoluteError = 0;
        LargestObjectRatio = 0;
        SmallestObjectRatio = double.PositiveInfinity;
        ObjectCount = 0;
        HasCurves = false;
    }
}
