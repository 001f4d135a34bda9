using SoSeg.Runtime;
using SoSeg.Data.Datasets;
using SoSeg.Monitoring;

namespace SoSeg.Data.Statistics;

/// <summary>
/// Table I of the paper for any dataset: images (train + test; slices for volumes), the range of object
/// area ratios, and the number of ultra-small (&lt;1%), small (&lt;10%) and all objects, overall and per class.
/// An object is an 8-connected component of one class in one 2-D image.
/// </summary>
/// <param name="Dataset">Dataset name.</param>
/// <param name="Layout">Layout it was read in.</param>
/// <param name="TrainImages">2-D training images (slices).</param>
/// <param name="TestImages">2-D test images (slices) read: 0 when only the training images were.</param>
/// <param name="LabelledImages">Images with a mask (unlabelled test images are counted but have no objects).</param>
/// <param name="All">Objects of every foreground class.</param>
/// <param name="PerClass">Objects per foreground class.</param>
public sealed record DatasetStatistics(string Dataset, DatasetLayout Layout, int TrainImages, int TestImages, long LabelledImages,
    ClassObjectStatistics All, IReadOnlyList<ClassObjectStatistics> PerClass)
{
    /// <summary>
    /// Reads every mask of the dataset once (images are not decoded) and counts objects; several masks are
    /// read at a time. <paramref name="dropEmptySlices"/> (default: the dataset's option) leaves out volume
    /// slices without foreground, as when a volume dataset is turned into a 2-D one. <paramref name="trainingOnly"/>
    /// leaves the test images out, for decisions that must not look at them (a recipe plan).
    /// </summary>
    public static DatasetStatistics Compute(SegmentationDataset dataset, bool? dropEmptySlices = null, IProgressTask? progress = null, bool trainingOnly = false)
    {
        var train = dataset.Items(DatasetSubset.Train, dropEmptySlices);
        var test = trainingOnly ? [] : dataset.Items(DatasetSubset.Test, dropEmptySlices);
        var items = train.Concat(test).ToList();
        var total = new ObjectStatisticsAccumulator(dataset.Labels.Names);
        long labelled = 0;
        var gate = new object();
        // Volumes are visited in order so each label volume is decoded once and then read from the cache.
        var options = new ParallelOptions { MaxDegreeOfParallelism = dataset.IsVolumetric ? 1 : Environment.ProcessorCount };
        ParallelLoops.Run(() => Parallel.ForEach(items, options,
            () => (Accumulator: new ObjectStatisticsAccumulator(dataset.Labels.Names), Labelled: 0L),
            (item, _, local) =>
            {
                var (mask, height, width) = dataset.LoadMask(item);
                if (mask is not null)
                {
                    local.Accumulator.Add(mask, height, width);
                    local.Labelled++;
                }
                if (progress is not null)
                    lock (gate) progress.Advance();
                return local;
            },
            local =>
            {
                lock (gate)
                {
                    total.Merge(local.Accumulator);
                    labelled += local.Labelled;
                }
            }));
        progress?.Complete();
        return new DatasetStatistics(dataset.Manifest.Name.Length > 0 ? dataset.Manifest.Name : Path.GetFileName(dataset.Root),
            dataset.Layout, train.Count, test.Count, labelled, total.All, total.PerClass);
    }

    /// <summary>Items the computation will read (for a progress bar's total).</summary>
    public static int CountItems(SegmentationDataset dataset, bool? dropEmptySlices = null, bool trainingOnly = false) =>
        dataset.Items(DatasetSubset.Train, dropEmptySlices).Count + (trainingOnly ? 0 : dataset.Items(DatasetSubset.Test, dropEmptySlices).Count);
}
