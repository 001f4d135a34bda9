using SoSeg.Data;
using SoSeg.Data.Datasets;
using SoSeg.Data.Images;
using SoSeg.Data.Nifti;
using SoSeg.Inference;
using SoSeg.Metrics;
using SoSeg.Models;
using SoSeg.Monitoring;
using SoSeg.Training;
using static TorchSharp.torch;
using SoSeg.Checkpoints;

namespace SoSeg.Evaluation;

/// <summary>
/// `soseg evaluate`: scores a trained model, or a folder of masks made by any tool (as nnU-Net's
/// evaluate_folder), on a subset of a dataset with the paper's metrics in both protocols.
/// </summary>
public static class DatasetEvaluation
{
    /// <summary>The 2-D items of a subset (volumes as all their slices).</summary>
    /// <param name="splitsFile">For val and train: the splits file to read (e.g. a run's splits.json); null: the dataset's.</param>
    public static IReadOnlyList<DatasetItem> SelectItems(SegmentationDataset dataset, EvaluationSubset subset, int fold = 0, int folds = 1, string? splitsFile = null)
    {
        IReadOnlyList<DatasetCase> cases = subset switch
        {
            EvaluationSubset.Test => dataset.TestCases,
            EvaluationSubset.Val => dataset.GetFold(fold, folds, splitsFile).Validation,
            EvaluationSubset.Train => dataset.GetFold(fold, folds, splitsFile).Train,
            _ => throw new ArgumentOutOfRangeException(nameof(subset)),
        };
        var items = dataset.Items(cases, dropEmptySlices: false);
        if (items.Count == 0) throw new SoSegException($"{dataset.Root}: the {subset.ToString().ToLowerInvariant()} subset is empty.");
        return items;
    }

    /// <summary>Checks a checkpoint's model fits the dataset (channels, classes) and names what differs.</summary>
    public static void CheckCompatible(CheckpointInfo info, SegmentationDataset dataset, string checkpointPath)
    {
        if (info.InChannels != dataset.Channels)
            throw new SoSegException($"{checkpointPath}: the model takes {info.InChannels} channel(s), the dataset {dataset.Root} has {dataset.Channels}.");
        if (info.NumClasses != dataset.NumClasses)
            throw new SoSegException($"{checkpointPath}: the model predicts {info.NumClasses} classes ({string.Join(", ", info.ClassNames)}), " +
                                     $"the dataset has {dataset.NumClasses} ({string.Join(", ", dataset.Labels.Names)}).");
    }

    /// <summary>Predicts every item with the model and scores it; <paramref name="onPrediction"/> sees each prediction (for overlays).</summary>
    public static EvaluationReport EvaluateModel(SegmentationDataset dataset, IReadOnlyList<DatasetItem> items, SegmentationModel model,
        Device device, PredictionOptions prediction, EvaluationOptions options, IProgressTask? progress = null,
        Action<DatasetItem, SegmentationSample, Prediction>? onPrediction = null) =>
        EvaluateModel(dataset, items, new TorchEngine(model, device), prediction, options, progress, onPrediction);

    /// <summary>As above with any engine (TorchSharp or ONNX Runtime).</summary>
    public static EvaluationReport EvaluateModel(SegmentationDataset dataset, IReadOnlyList<DatasetItem> items, ISegmentationEngine engine,
        PredictionOptions prediction, EvaluationOptions options, IProgressTask? progress = null,
        Action<DatasetItem, SegmentationSample, Prediction>? onPrediction = null)
    {
        var predictor = new SegmentationPredictor(engine, prediction);
        var evaluator = new SegmentationEvaluator(dataset.Labels.Names, options);
        foreach (var item in items)
        {
            var sample = dataset.Load(item);
            if (sample.Mask is null) throw new SoSegException($"{sample.Origin.ImagePath}: case {item.Id} has no ground-truth mask to evaluate against.");
            var result = predictor.Predict(sample);
            evaluator.Add(sample, result.ClassMap, result.Probabilities);
            onPrediction?.Invoke(item, sample, result);
            progress?.Advance();
        }
        progress?.Complete();
        return evaluator.Compute();
    }

    /// <summary>
    /// Scores mask files from any tool: for 2-D cases `PREDICTIONS/&lt;case id&gt;.png` (or .bmp/.jpg), for volumes
    /// `PREDICTIONS/&lt;case id&gt;.nii.gz` (or .nii) on the image's grid, holding the dataset's label values
    /// (<paramref name="binarise"/>: any value above half range is the foreground class).
    /// </summary>
    public static EvaluationReport EvaluatePredictions(SegmentationDataset dataset, IReadOnlyList<DatasetItem> items, string predictionsFolder,
        EvaluationOptions options, bool binarise = false, IProgressTask? progress = null)
    {
        if (!Directory.Exists(predictionsFolder)) throw new SoSegException($"{predictionsFolder}: predictions folder not found.");
        if (binarise && dataset.NumClasses != 2)
            throw SettingError.Naming(new SoSegException($"Binarize only applies to two-class datasets; {dataset.Root} has {dataset.NumClasses} classes."), "Binarize");
        var evaluator = new SegmentationEvaluator(dataset.Labels.Names, options);
        (string Id, VolumeGeometry Geometry, byte[] Classes)? volume = null;
        foreach (var item in items)
        {
            var (truth, height, width) = dataset.LoadMask(item);
            if (truth is null) throw new SoSegException($"{item.Origin.ImagePath}: case {item.Id} has no ground-truth mask to evaluate against.");
            byte[] predicted = item.Case.IsVolume
                ? PredictedSlice(dataset, item, predictionsFolder, ref volume, height, width)
                : PredictedImage(dataset, item, predictionsFolder, binarise, height, width);
            evaluator.Add(item.Id, predicted, truth, height, width, group: item.Origin.Group);
            progress?.Advance();
        }
        progress?.Complete();
        return evaluator.Compute();
    }

    static byte[] PredictedImage(SegmentationDataset dataset, DatasetItem item, string folder, bool binarise, int height, int width)
    {
        string path = FindPrediction(folder, item.Case.Id, LayoutFiles.ImageEndings);
        var mask = MaskReader.Read(path, binarise ? MaskEncoding.Threshold : MaskEncoding.Values,
                                   foregroundValue: binarise ? dataset.Labels.ValueOf(1) : (byte)1);
        if (mask.Height != height || mask.Width != width)
            throw new SoSegException($"{path}: prediction is {mask.Width} x {mask.Height}, the ground truth of {item.Id} is {width} x {height}.");
        dataset.Labels.ToClassesInPlace(mask.Values, path);
        RefuseIgnoreLabel(mask.Values, path, dataset.NumClasses);
        return mask.Values;
    }

    /// <summary>255 marks ignored pixels in ground truth only; a prediction must give every pixel a class.</summary>
    static void RefuseIgnoreLabel(ReadOnlySpan<byte> classes, string path, int numClasses)
    {
        if (classes.IndexOf(LabelMap.Ignore) < 0) return;
        throw SettingError.Naming(new SoSegException($"{path}: the prediction holds the value 255, which marks ignored pixels in ground truth, not a class." +
                                 (numClasses == 2 ? " For masks saved as 0/255, add Binarize." : "")), "Binarize");
    }

    static byte[] PredictedSlice(SegmentationDataset dataset, DatasetItem item, string folder, ref (string Id, VolumeGeometry Geometry, byte[] Classes)? volume,
        int height, int width)
    {
        // Slices come volume by volume: keep one decoded volume.
        if (volume is not { } current || current.Id != item.Case.Id)
        {
            var geometry = dataset.GetGeometry(item.Case);
            string path = FindPrediction(folder, item.Case.Id, LayoutFiles.VolumeEndings);
            var image = NiftiReader.Read(path);
            var predicted = new VolumeGeometry(image.Header, path);
            if (!predicted.SameGrid(geometry))
                throw new SoSegException($"{path}: prediction grid {string.Join(" x ", predicted.Size)} differs from the image's {string.Join(" x ", geometry.Size)} (or its affine does).");
            var classes = SegmentationDataset.LabelValues(image, path);
            dataset.Labels.ToClassesInPlace(classes, path);
            RefuseIgnoreLabel(classes, path, dataset.NumClasses);
            current = (item.Case.Id, geometry, classes);
            volume = current;
        }
        var slice = new byte[height * width];
        current.Geometry.ExtractSlice<byte>(current.Classes, item.SliceIndex!.Value, slice);
        return slice;
    }

    static string FindPrediction(string folder, string caseId, IEnumerable<string> endings)
    {
        foreach (var ending in endings)
        {
            string path = Path.Combine(folder, caseId + ending);
            if (File.Exists(path)) return path;
        }
        throw new SoSegException($"{folder}: no prediction for case {caseId} (expected {caseId}{string.Join(" or " + caseId, endings)}).");
    }
}
