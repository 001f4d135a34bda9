using System.Buffers.Binary;
using System.Text.RegularExpressions;
using SoSeg.Data;
using SoSeg.Data.Datasets;
using SoSeg.Data.Images;
using SoSeg.Data.Nifti;
using SoSeg.Visualization;
using SoSeg.Monitoring;
using SoSeg.Training;
using SoSeg.Checkpoints;

namespace SoSeg.Inference;

/// <summary>What `soseg predict` writes besides the masks.</summary>
public sealed record PredictionOutputs
{
    /// <summary>Per foreground class: 2-D as 8-bit PNG (probability x 255), volumes as float32 NIfTI on the input grid.</summary>
    public bool Probabilities { get; init; }
    /// <summary>Overlay PNGs (image with the predicted classes drawn over it); for volumes one per slice with a prediction.</summary>
    public bool Overlays { get; init; }
}

/// <summary>One input case: its channel files (one, or several named CASE_0000, CASE_0001...) and whether it is a volume.</summary>
public sealed record PredictionInput(string Name, IReadOnlyList<string> ChannelPaths, bool IsVolume);

/// <summary>What was written for one input.</summary>
public sealed record PredictionWritten(PredictionInput Input, string MaskPath, int ForegroundPixels, IReadOnlyList<string> Extras);

/// <summary>
/// Predicts new images and volumes with a trained model: 2-D masks as PNG holding the dataset's label
/// values, volumes slice by slice back into NIfTI with the input's header geometry (affine, spacing),
/// optional probability maps and overlays.
/// </summary>
public sealed class InputPredictor(SegmentationPredictor predictor, CheckpointInfo info, DatasetOptions? volumeOptions = null)
{
    static readonly Regex ChannelSuffix = new(@"^(?<case>.+)_(?<channel>\d{4})$", RegexOptions.Compiled);
    static readonly string ImageList = string.Join(", ", LayoutFiles.ImageEndings);
    static readonly string VolumeList = string.Join(", ", LayoutFiles.VolumeEndings);
    readonly LabelMap _labels = new(info.ClassNames.Select((name, i) => new KeyValuePair<string, int>(name, info.LabelValues.Count > i ? info.LabelValues[i] : i)).ToList());

    /// <summary>
    /// The cases in a file or folder: images (<see cref="LayoutFiles.ImageEndings"/>) and volumes (.nii/.nii.gz); files named
    /// CASE_0000, CASE_0001... are the channels of one case, as in nnU-Net.
    /// </summary>
    public static IReadOnlyList<PredictionInput> FindInputs(string path)
    {
        string[] files;
        if (File.Exists(path)) files = [path];
        else if (Directory.Exists(path)) files = Directory.GetFiles(path).Where(IsInput).OrderBy(f => f, StringComparer.Ordinal).ToArray();
        else throw new SoSegException($"{path}: no such file or folder.");
        if (files.Length == 0) throw new SoSegException($"{path}: holds no images ({ImageList}) or volumes ({VolumeList}).");
        foreach (var file in files)
            if (!IsInput(file)) throw new SoSegException($"{file}: not an image ({ImageList}) or a NIfTI volume ({VolumeList}).");

        var cases = new List<PredictionInput>();
        foreach (var group in files.GroupBy(f => (Stem(f) is var stem && ChannelSuffix.Match(stem) is { Success: true } m ? m.Groups["case"].Value : stem, IsVolume(f))))
        {
            var channels = group.OrderBy(f => f, StringComparer.Ordinal).ToList();
            cases.Add(new PredictionInput(group.Key.Item1, channels, group.Key.Item2));
        }
        return cases;
    }

    /// <summary>Predicts every input into <paramref name="outputFolder"/>; refuses, before predicting anything, to write a file over one of the inputs.</summary>
    public IReadOnlyList<PredictionWritten> Run(IReadOnlyList<PredictionInput> inputs, string outputFolder, PredictionOutputs outputs, IProgressTask? progress = null)
    {
        RefuseOverwritingInputs(inputs, outputFolder, outputs);
        Directory.CreateDirectory(outputFolder);
        var written = new List<PredictionWritten>();
        foreach (var input in inputs)
        {
            written.Add(input.IsVolume ? PredictVolume(input, outputFolder, outputs) : PredictImage(input, outputFolder, outputs));
            progress?.Advance();
        }
        progress?.Complete();
        return written;
    }

    /// <summary>Refuses outputs that would replace an input file (e.g. the mask of "a.png" written into the folder holding "a.png"), even with --force.</summary>
    public void RefuseOverwritingInputs(IReadOnlyList<PredictionInput> inputs, string outputFolder, PredictionOutputs outputs) =>
        IO.OutputFolder.RefuseOverwritingInputs(inputs.SelectMany(i => PlannedFiles(i, outputFolder, outputs)), inputs.SelectMany(i => i.ChannelPaths), "soseg predict");

    /// <summary>The files written for one input (overlays of volumes go into their own subfolder, which holds no input).</summary>
    IEnumerable<string> PlannedFiles(PredictionInput input, string folder, PredictionOutputs outputs)
    {
        yield return MaskPath(folder, input);
        if (outputs.Probabilities)
            for (int c = 1; c < info.NumClasses; c++) yield return ProbabilityPath(folder, input, c);
        if (outputs.Overlays && !input.IsVolume) yield return OverlayPath(folder, input);
    }

    static string OverlayPath(string folder, PredictionInput input) => Path.Combine(folder, input.Name + "_overlay.png");
    static string MaskPath(string folder, PredictionInput input) => Path.Combine(folder, input.Name + (input.IsVolume ? ".nii.gz" : ".png"));
    string ProbabilityPath(string folder, PredictionInput input, int c) =>
        Path.Combine(folder, $"{input.Name}_prob_{Safe(info.ClassNames[c])}{(input.IsVolume ? ".nii.gz" : ".png")}");

    PredictionWritten PredictImage(PredictionInput input, string folder, PredictionOutputs outputs)
    {
        var sample = InputLoader.LoadImage(input.ChannelPaths, info.InChannels);
        var prediction = predictor.Predict(sample);
        string maskPath = MaskPath(folder, input);
        ImageWriter.WriteMask(maskPath, _labels.ToValues(prediction.ClassMap), sample.Height, sample.Width);
        var extras = new List<string>();
        if (outputs.Probabilities)
            for (int c = 1; c < prediction.NumClasses; c++)
            {
                string path = ProbabilityPath(folder, input, c);
                ImageWriter.WriteGrey(path, prediction.Probabilities.AsSpan(c * sample.PixelCount, sample.PixelCount), sample.Height, sample.Width);
                extras.Add(path);
            }
        if (outputs.Overlays)
        {
            string path = OverlayPath(folder, input);
            using var bitmap = Overlay.Render(sample.Image, sample.Channels, sample.Height, sample.Width, prediction.ClassMap);
            Overlay.SavePng(bitmap, path);
            extras.Add(path);
        }
        return new PredictionWritten(input, maskPath, prediction.ClassMap.Count(c => c != 0), extras);
    }

    PredictionWritten PredictVolume(PredictionInput input, string folder, PredictionOutputs outputs)
    {
        var (geometry, slices) = InputLoader.LoadVolume(input.ChannelPaths, volumeOptions, info.InChannels);
        var assembler = new VolumeAssembler(geometry, _labels);
        float[][]? probabilityVolumes = outputs.Probabilities
            ? Enumerable.Range(1, info.NumClasses - 1).Select(_ => new float[geometry.VoxelCount]).ToArray() : null;
        var extras = new List<string>();
        string overlayFolder = Path.Combine(folder, input.Name + "_overlays");
        int foreground = 0;
        foreach (var slice in slices)
        {
            var prediction = predictor.Predict(slice);
            int z = slice.Origin.SliceIndex!.Value;
            assembler.AddSlice(z, prediction.ClassMap);
            int sliceForeground = prediction.ClassMap.Count(c => c != 0);
            foreground += sliceForeground;
            if (probabilityVolumes is not null)
                for (int c = 1; c < prediction.NumClasses; c++)
                    geometry.InsertSlice<float>(probabilityVolumes[c - 1], z, prediction.Probabilities.AsSpan(c * slice.PixelCount, slice.PixelCount));
            if (outputs.Overlays && sliceForeground > 0)
            {
                Directory.CreateDirectory(overlayFolder);
                string path = Path.Combine(overlayFolder, $"z{z:D3}.png");
                using var bitmap = Overlay.Render(slice.Image, slice.Channels, slice.Height, slice.Width, prediction.ClassMap);
                Overlay.SavePng(bitmap, path);
                extras.Add(path);
            }
        }
        string maskPath = MaskPath(folder, input);
        assembler.Write(maskPath); // NIfTI and PNG writers write atomically
        if (probabilityVolumes is not null)
            for (int c = 1; c < info.NumClasses; c++)
            {
                string path = ProbabilityPath(folder, input, c);
                // The input's header as for the mask (VolumeAssembler.ToImage), so qform/sform codes carry over.
                var header = geometry.Header.CloneFor(NiftiDataType.Float32);
                header.Dim = [3, geometry.Size[0], geometry.Size[1], geometry.Size[2], 1, 1, 1, 1];
                header.Description = "SoSeg probabilities";
                NiftiWriter.Write(path, new NiftiImage(header, LittleEndianBytes(probabilityVolumes[c - 1])));
                extras.Add(path);
            }
        return new PredictionWritten(input, maskPath, foreground, extras);
    }

    static bool IsVolume(string path) => LayoutFiles.EndingOf(path, LayoutFiles.VolumeEndings) is not null;
    static bool IsInput(string path) => IsVolume(path) || ImageReader.IsImagePath(path);
    static string Stem(string path) =>
        LayoutFiles.EndingOf(path, [.. LayoutFiles.VolumeEndings, .. LayoutFiles.ImageEndings]) is { } ending
            ? LayoutFiles.Stem(path, ending)
            : Path.GetFileNameWithoutExtension(path);
    static byte[] LittleEndianBytes(float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        return bytes;
    }
    static string Safe(string name) => string.Concat(name.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' ? ch : '_'));
}
