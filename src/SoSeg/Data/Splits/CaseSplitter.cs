namespace SoSeg.Data.Splits;

/// <summary>
/// Seeded, repeatable splits of case ids. Ids are sorted (ordinal) before a seeded Fisher-Yates shuffle,
/// so the result depends only on the set of ids and the seed, not on file-system order.
/// </summary>
public static class CaseSplitter
{
    /// <summary>
    /// Holds out round(n * fraction) cases. With <paramref name="groups"/> (case id -> group, e.g. hospital
    /// centre) every group gives its share (largest remainders settle the rounding), so each centre is split alike.
    /// </summary>
    public static TestSplit HoldOut(IReadOnlyCollection<string> ids, double fraction, int seed, IReadOnlyDictionary<string, string?>? groups = null)
    {
        if (fraction is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(fraction), "The held-out fraction must be in [0, 1).");
        var sorted = Sorted(ids);
        int total = (int)Math.Round(sorted.Length * fraction, MidpointRounding.AwayFromZero);
        var byGroup = sorted.GroupBy(id => groups?.GetValueOrDefault(id) ?? "").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.ToArray()).ToArray();

        // Largest-remainder allocation of the held-out count over groups.
        var quota = byGroup.Select(g => g.Length * fraction).ToArray();
        var take = quota.Select(q => (int)Math.Floor(q)).ToArray();
        foreach (int g in Enumerable.Range(0, byGroup.Length).OrderByDescending(g => quota[g] - take[g]).ThenBy(g => g).Take(total - take.Sum()))
            take[g]++;

        var random = new Random(seed);
        var test = new List<string>();
        var train = new List<string>();
        for (int g = 0; g < byGroup.Length; g++)
        {
            var shuffled = Shuffle(byGroup[g], random);
            test.AddRange(shuffled.Take(take[g]));
            train.AddRange(shuffled.Skip(take[g]));
        }
        return new TestSplit(Sorted(train), Sorted(test), seed, fraction);
    }

    /// <summary>One random train/validation split with round(n * fraction) validation cases (at least one when n &gt;= 2).</summary>
    public static SplitFold RandomSplit(IReadOnlyCollection<string> ids, double validationFraction, int seed)
    {
        if (validationFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(validationFraction));
        var shuffled = Shuffle(Sorted(ids), new Random(seed));
        int val = (int)Math.Round(shuffled.Length * validationFraction, MidpointRounding.AwayFromZero);
        if (shuffled.Length >= 2) val = Math.Clamp(val, 1, shuffled.Length - 1);
        return new SplitFold(Sorted(shuffled.Skip(val)), Sorted(shuffled.Take(val)));
    }

    /// <summary>
    /// K folds as scikit-learn's shuffled KFold builds them (nnU-Net's splits): the shuffled ids are cut into
    /// k consecutive chunks, the first n mod k one longer; fold i validates on chunk i.
    /// </summary>
    public static IReadOnlyList<SplitFold> KFold(IReadOnlyCollection<string> ids, int folds, int seed)
    {
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), "k-fold needs at least 2 folds.");
        if (ids.Count < folds) throw new SoSegException($"{ids.Count} training cases cannot be split into {folds} folds.");
        var shuffled = Shuffle(Sorted(ids), new Random(seed));
        var result = new List<SplitFold>();
        int start = 0;
        for (int fold = 0; fold < folds; fold++)
        {
            int size = shuffled.Length / folds + (fold < shuffled.Length % folds ? 1 : 0);
            var val = shuffled.Skip(start).Take(size).ToArray();
            var train = shuffled.Take(start).Concat(shuffled.Skip(start + size));
            result.Add(new SplitFold(Sorted(train), Sorted(val)));
            start += size;
        }
        return result;
    }

    static string[] Sorted(IEnumerable<string> ids)
    {
        var array = ids.ToArray();
        Array.Sort(array, StringComparer.Ordinal);
        return array;
    }

    static string[] Shuffle(string[] ids, Random random)
    {
        var result = (string[])ids.Clone();
        for (int i = result.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (result[i], result[j]) = (result[j], result[i]);
        }
        return result;
    }
}
