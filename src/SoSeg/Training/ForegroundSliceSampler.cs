using SoSeg.Augmentation;

namespace SoSeg.Training;

/// <summary>
/// Foreground oversampling across the slices of a volume, as nnU-Net's 2-D data loader does it: a share of an epoch's
/// places goes to a slice of the same volume that holds a foreground class drawn uniformly among the volume's
/// classes, and that slice's crop is centred on an object of the class. Centring crops within whichever slice was
/// drawn cannot do this: a small tumour on 4 of a volume's 40 slices would still be drawn on 1 place in 10.
/// </summary>
internal sealed class ForegroundSliceSampler
{
    readonly int[] _volumeOf;
    readonly byte[][] _volumeClasses;
    readonly Dictionary<(int Volume, byte Class), int[]> _slicesWith;
    readonly double _share;

    /// <param name="slices">Each training id's volume and classes, in training-id order.</param>
    /// <param name="share">Share of places moved onto a class (<see cref="AugmentationOptions.OversampleForeground"/>).</param>
    public ForegroundSliceSampler(IReadOnlyList<TrainingSlice> slices, double share)
    {
        _share = share;
        var volumes = slices.Select(s => s.Volume).Distinct(StringComparer.Ordinal).Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i, StringComparer.Ordinal);
        _volumeOf = slices.Select(s => volumes[s.Volume]).ToArray();
        _slicesWith = Enumerable.Range(0, slices.Count)
            .SelectMany(i => slices[i].Classes.Select(c => (Key: (_volumeOf[i], c), Index: i)))
            .GroupBy(p => p.Key, p => p.Index)
            .ToDictionary(g => g.Key, g => g.ToArray());
        _volumeClasses = new byte[volumes.Count][];
        for (int v = 0; v < volumes.Count; v++)
            _volumeClasses[v] = _slicesWith.Keys.Where(k => k.Volume == v).Select(k => k.Class).Order().ToArray();
    }

    /// <summary>
    /// Moves a share of <paramref name="order"/>'s entries (training-id indices) in place onto slices of the same
    /// volume holding a drawn class, and returns each entry's crop focus. Depends only on its arguments.
    /// </summary>
    public CropFocus[] Draw(int[] order, long epochSeed)
    {
        var random = new Random(unchecked((int)(epochSeed ^ (epochSeed >> 32)) ^ 0x51CE5EED));
        var focus = new CropFocus[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            focus[i] = CropFocus.Uniform;
            if (random.NextDouble() >= _share) continue;
            int volume = _volumeOf[order[i]];
            var classes = _volumeClasses[volume];
            // A volume without foreground keeps its uniform slice and crop, as nnU-Net does.
            if (classes.Length == 0) continue;
            byte cls = classes[random.Next(classes.Length)];
            var candidates = _slicesWith[(volume, cls)];
            order[i] = candidates[random.Next(candidates.Length)];
            focus[i] = CropFocus.OnClass(cls);
        }
        return focus;
    }
}
