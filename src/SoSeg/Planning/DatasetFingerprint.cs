using SoSeg.Data.Datasets;
using SoSeg.Data.Statistics;
using SoSeg.Monitoring;

namespace SoSeg.Planning;

/// <summary>
/// What a recipe is planned from: image sizes, intensity statistics per channel (of the images as the
/// loader gives them to the network), the object-size distribution per class (Table I counts) and the
/// share of training images without any object.
/// </summary>
public sealed record DatasetFingerprint
{
    public required string Dataset { get; init; }
    public required bool Volumetric { get; init; }
    public required int TrainImages { get; init; }
    /// <summary>Training images whose size and intensities were read (a seeded sample of at most <see cref="MaxSampledImages"/>).</summary>
    public required int SampledImages { get; init; }
    public required int MedianHeight { get; init; }
    public required int MedianWidth { get; init; }
    public required int MinShortSide { get; init; }
    public required int MaxLongSide { get; init; }
    /// <summary>
    /// Volumes: the median voxel spacing in mm over the training volumes (slice columns, rows, thickness), as
    /// nnU-Net's fingerprint records it; null for 2-D images, which carry none. Informational: the plan trains on
    /// slices at their stored resolution and does not resample.
    /// </summary>
    public VoxelSpacing? MedianSpacing { get; init; }
    /// <summary>Mean and standard deviation of every channel over the sampled images.</summary>
    public required IReadOnlyList<ChannelIntensity> Channels { get; init; }
    /// <summary>Objects of all foreground classes, then per class, in the labelled training images (a plan never looks at the test images).</summary>
    public required ClassObjectStatistics Objects { get; init; }
    public required IReadOnlyList<ClassObjectStatistics> ObjectsPerClass { get; init; }
    /// <summary>Share of labelled training images without any object.</summary>
    public required double EmptyImageShare { get; init; }

    /// <summary>Ultra-small objects (under 1% of their image) as a share of all objects; 0 without objects.</summary>
    public double UltraSmallShare => Objects.Objects == 0 ? 0 : (double)Objects.UltraSmall / Objects.Objects;

    public const int MaxSampledImages = 64;

    /// <summary>Masks <see cref="Compute"/> reads (for a progress bar's total): the training images', not the test images'.</summary>
    public static int MasksToRead(SegmentationDataset dataset) => DatasetStatistics.CountItems(dataset, trainingOnly: true);

    /// <summary>Reads every training mask once and a seeded sample of the training images; the test images are not read.</summary>
    public static DatasetFingerprint Compute(SegmentationDataset dataset, IProgressTask? progress = null)
    {
        var statistics = DatasetStatistics.Compute(dataset, progress: progress, trainingOnly: true);
        var train = dataset.Items(DatasetSubset.Train);
        if (train.Count == 0) throw new SoSegException($"{dataset.Root}: no training images to plan from.");
        var sampled = train.ToArray();
        new Random(0).Shuffle(sampled);
        sampled = sampled.Take(MaxSampledImages).ToArray();
        int channels = dataset.Channels;
        var sums = new double[channels];
        var squares = new double[channels];
        long pixels = 0;
        var heights = new List<int>();
        var widths = new List<int>();
        foreach (var item in sampled)
        {
            var sample = dataset.Load(item);
            heights.Add(sample.Height);
            widths.Add(sample.Width);
            for (int c = 0; c < channels; c++)
                foreach (var v in sample.Image.AsSpan(c * sample.PixelCount, sample.PixelCount)) { sums[c] += v; squares[c] += (double)v * v; }
            pixels += sample.PixelCount;
        }
        int Median(List<int> values) => values.Order().ElementAt(values.Count / 2);
        VoxelSpacing? spacing = null;
        if (dataset.IsVolumetric)
        {
            var volumes = train.Select(i => i.Case).DistinctBy(c => c.Id).Select(c => dataset.GetGeometry(c).Spacing).ToList();
            double MedianOf(Func<(double Column, double Row, double Slice), double> axis) => volumes.Select(axis).Order().ElementAt(volumes.Count / 2);
            spacing = new VoxelSpacing(MedianOf(v => v.Column), MedianOf(v => v.Row), MedianOf(v => v.Slice));
        }
        return new DatasetFingerprint
        {
            Dataset = statistics.Dataset,
            Volumetric = dataset.IsVolumetric,
            TrainImages = statistics.TrainImages,
            SampledImages = sampled.Length,
            MedianHeight = Median(heights),
            MedianWidth = Median(widths),
            MinShortSide = heights.Zip(widths, Math.Min).Min(),
            MaxLongSide = heights.Zip(widths, Math.Max).Max(),
            MedianSpacing = spacing,
            Channels = Enumerable.Range(0, channels).Select(c =>
            {
                double mean = sums[c] / pixels;
                return new ChannelIntensity(c, mean, Math.Sqrt(Math.Max(0, squares[c] / pixels - mean * mean)));
            }).ToList(),
            Objects = statistics.All,
            ObjectsPerClass = statistics.PerClass,
            EmptyImageShare = statistics.LabelledImages == 0 ? 0 : 1 - (double)statistics.All.Images / statistics.LabelledImages,
        };
    }
}

/// <summary>Intensity statistics of one channel.</summary>
public sealed record ChannelIntensity(int Channel, double Mean, double Std);

/// <summary>Voxel spacing in mm: within a slice (columns, rows) and between slices.</summary>
public sealed record VoxelSpacing(double Column, double Row, double Slice);
