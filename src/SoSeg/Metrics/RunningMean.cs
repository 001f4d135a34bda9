namespace SoSeg.Metrics;

/// <summary>Mean of the defined values added (NaN values are skipped: nanmean).</summary>
internal struct RunningMean
{
    public double Sum;
    public long Count;

    public void Add(double value)
    {
        if (double.IsNaN(value)) return;
        Sum += value;
        Count++;
    }

    public readonly double Mean => Count > 0 ? Sum / Count : double.NaN;
}
