using SoSeg.Data.Images;
using SoSeg.Data.Nifti;

namespace SoSeg.Data.Datasets;

/// <summary>
/// Decodes inputs that are not part of a dataset folder (files given to `soseg predict`) exactly as
/// <see cref="SegmentationDataset.Load"/> decodes dataset items: 2-D images scaled to [0, 1], volumes
/// normalised per channel to their percentiles and cut into axial slices.
/// </summary>
public static class InputLoader
{
    /// <summary>One 2-D image from one or more files (channel groups, stacked in order), without a mask.</summary>
    /// <param name="paths">Image files of one case.</param>
    /// <param name="expectedChannels">Channels the model takes; null accepts any.</param>
    public static SegmentationSample LoadImage(IReadOnlyList<string> paths, int? expectedChannels = null)
    {
        var (image, channels, height, width) = DecodeImage(paths, expectedChannels, "the model");
        string id = Path.GetFileNameWithoutExtension(paths[0]);
        return new SegmentationSample
        {
            Id = id,
            Channels = channels,
            Height = height,
            Width = width,
            Image = image,
            Origin = new SampleOrigin(paths[0], null),
        };
    }

    /// <summary>
    /// A volume (one NIfTI file per channel) as normalised axial slices without masks, with its geometry for
    /// writing predictions back through a <see cref="VolumeAssembler"/>.
    /// </summary>
    public static (VolumeGeometry Geometry, IReadOnlyList<SegmentationSample> Slices) LoadVolume(IReadOnlyList<string> channelPaths,
        DatasetOptions? options = null, int? expectedChannels = null)
    {
        options ??= new DatasetOptions();
        if (expectedChannels is { } expected && expected != channelPaths.Count)
            throw new SoSegException($"{channelPaths[0]}: {channelPaths.Count} channel file(s) given but the model takes {expected}.");
        var (geometry, intensities) = DecodeVolume(channelPaths, options.LowerPercentile, options.UpperPercentile);
        string id = NiftiStem(channelPaths[0]);
        var slices = new List<SegmentationSample>(geometry.SliceCount);
        for (int s = 0; s < geometry.SliceCount; s++)
            slices.Add(new SegmentationSample
            {
                Id = $"{id}_z{s:D3}",
                Channels = channelPaths.Count,
                Height = geometry.SliceHeight,
                Width = geometry.SliceWidth,
                Image = ExtractSlice(geometry, intensities, channelPaths.Count, s),
                Origin = new SampleOrigin(channelPaths[0], null, id, s),
            });
        return (geometry, slices);
    }

    /// <summary>Decodes and stacks 2-D channel files; checks sizes and the channel count.</summary>
    internal static (float[] Image, int Channels, int Height, int Width) DecodeImage(IReadOnlyList<string> paths, int? expectedChannels, string expectedBy,
        IReadOnlyList<string>? channelNames = null)
    {
        if (paths.Count == 0) throw new ArgumentException("No image files.", nameof(paths));
        var parts = paths.Select(ImageReader.Read).ToArray();
        int height = parts[0].Height, width = parts[0].Width;
        for (int i = 1; i < parts.Length; i++)
            if (parts[i].Height != height || parts[i].Width != width)
                throw new SoSegException($"{paths[i]}: {parts[i].Width} x {parts[i].Height} pixels, but {paths[0]} of the same case is {width} x {height}.");
        int channels = parts.Sum(p => p.Channels);
        if (expectedChannels is { } expected && channels != expected)
            throw new SoSegException($"{paths[0]}: has {channels} channel(s) but {expectedBy} lists {expected}" +
                                     $"{(channelNames is null ? "" : $" ({string.Join(", ", channelNames)})")}.");
        if (parts.Length == 1) return (parts[0].Data, channels, height, width);
        var image = new float[channels * height * width];
        int offset = 0;
        foreach (var part in parts)
        {
            part.Data.CopyTo(image, offset);
            offset += part.Data.Length;
        }
        return (image, channels, height, width);
    }

    /// <summary>Reads every channel volume, checks they share one grid and are finite, and normalises each to its percentiles.</summary>
    internal static (VolumeGeometry Geometry, float[] Intensities) DecodeVolume(IReadOnlyList<string> channelPaths, double lowerPercentile, double upperPercentile)
    {
        VolumeGeometry? geometry = null;
        float[]? intensities = null;
        for (int channel = 0; channel < channelPaths.Count; channel++)
        {
            string path = channelPaths[channel];
            var image = NiftiReader.Read(path);
            var channelGeometry = new VolumeGeometry(image.Header, path);
            geometry ??= channelGeometry;
            intensities ??= new float[channelPaths.Count * geometry.VoxelCount];
            if (!channelGeometry.SameGrid(geometry))
                throw new SoSegException($"{path}: grid {string.Join(" x ", channelGeometry.Size)} differs from {channelPaths[0]} ({string.Join(" x ", geometry.Size)}) of the same case.");
            image.EnsureFinite();
            var plane = intensities.AsSpan((int)(channel * geometry.VoxelCount), (int)geometry.VoxelCount);
            image.CopyTo(plane, 0, geometry.VoxelCount);
            IntensityNormalisation.PercentileScale(plane, lowerPercentile, upperPercentile);
        }
        return (geometry!, intensities!);
    }

    /// <summary>Channel-major slice <paramref name="slice"/> of a channels x voxels intensity array.</summary>
    internal static float[] ExtractSlice(VolumeGeometry geometry, float[] intensities, int channels, int slice)
    {
        int pixels = geometry.SlicePixels;
        var image = new float[channels * pixels];
        for (int channel = 0; channel < channels; channel++)
            geometry.ExtractSlice<float>(intensities.AsSpan((int)(channel * geometry.VoxelCount), (int)geometry.VoxelCount), slice, image.AsSpan(channel * pixels, pixels));
        return image;
    }

    static string NiftiStem(string path)
    {
        string name = Path.GetFileName(path);
        foreach (string ending in (string[])[".nii.gz", ".nii", ".hdr.gz", ".hdr", ".img.gz", ".img"])
            if (name.EndsWith(ending, StringComparison.OrdinalIgnoreCase)) return name[..^ending.Length];
        return Path.GetFileNameWithoutExtension(name);
    }
}
