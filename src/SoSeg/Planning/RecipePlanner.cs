using SoSeg.Augmentation;
using SoSeg.Losses;
using SoSeg.Training;

namespace SoSeg.Planning;

/// <summary>
/// Chooses a recipe from a dataset fingerprint, nnU-Net style: fixed rules over the data's properties,
/// each choice with its reason. What the rules do not need to change stays the paper's.
/// </summary>
public static class RecipePlanner
{
    const int PaperCrop = 512, PaperBatch = 4, MaxBatch = 16;

    /// <summary>At least this share of ultra-small objects makes the plan favour them (loss, oversampling, scaling).</summary>
    const double SmallObjectShare = 0.3;

    /// <summary>At least this share of objects under 10% of their image makes the plan weigh them in loss and sampling.</summary>
    const double SmallObjectMajority = 0.5;

    /// <summary>Frames this many times larger or smaller than the crop are scaled by their own size (<see cref="ScaleModeFor"/>).</summary>
    const double ScaleGap = 1.5;

    /// <summary>
    /// Why the objects are small enough for cross-entropy alone to neglect them, or null: mostly ultra-small
    /// (<see cref="UltraSmallEvidence"/>), or most of them under 10% of their image (polyps, lesions), where the
    /// background still holds most pixels of nearly every image.
    /// </summary>
    static string? ImbalanceEvidence(DatasetFingerprint f)
    {
        if (UltraSmallEvidence(f) is { } ultraSmall) return ultraSmall;
        double share = f.Objects.Objects == 0 ? 0 : (double)f.Objects.Small / f.Objects.Objects;
        return share >= SmallObjectMajority ? $"{share:P0} of objects cover under 10% of their image" : null;
    }

    /// <summary>
    /// Why the data counts as one of mostly ultra-small objects ("100% of the tumour objects are ultra-small"), or null.
    /// Per class first: a small class next to a large one (tumours in a liver) is hidden in the pooled share.
    /// </summary>
    static string? UltraSmallEvidence(DatasetFingerprint f)
    {
        static double Share(Data.Statistics.ClassObjectStatistics c) => c.Objects == 0 ? 0 : (double)c.UltraSmall / c.Objects;
        var smallest = f.ObjectsPerClass.Where(c => c.Objects > 0).OrderByDescending(Share).FirstOrDefault();
        if (f.ObjectsPerClass.Count > 1 && smallest is not null && Share(smallest) >= SmallObjectShare)
            return $"{Share(smallest):P0} of the {smallest.Name} objects are ultra-small";
        return f.UltraSmallShare >= SmallObjectShare ? $"{f.UltraSmallShare:P0} of objects are ultra-small" : null;
    }

    /// <summary>
    /// The scale mode for training crops of <paramref name="crop"/> on this data. A plan applied with another crop than
    /// its own (<see cref="RecipePlan.Apply"/>) asks again, since the rule depends on the crop.
    /// Prediction runs on whole frames at their own size, so training should show objects at about that size. The
    /// paper's scaling (short side 0.5-1.5 x the crop) does so only for frames within 2/3-1.5 x the crop; beyond that
    /// the size prediction sees falls outside the sizes trained on (448 px polyp frames with a 256 crop train at
    /// 0.29-0.86 x, 160 px liver slices at 0.8-2.4 x), and scaling by each frame's own size keeps them near it.
    /// </summary>
    public static PlannedSetting<ScaleMode> ScaleModeFor(DatasetFingerprint f, int crop)
    {
        int shortSide = Math.Min(f.MedianHeight, f.MedianWidth);
        double ratio = (double)shortSide / crop;
        if (ratio > ScaleGap || ratio < 1 / ScaleGap)
        {
            string where = ratio > ScaleGap ? $"over {ScaleGap} x" : $"under 1/{ScaleGap} of";
            string evidence = UltraSmallEvidence(f) is { } small ? $"; {small}" : "";
            return new(ScaleMode.Image, $"frames ({shortSide} px) are {where} the crop of {crop}: the paper's scaling would train at " +
                $"{0.5 / ratio:0.##}-{1.5 / ratio:0.##} x the size prediction sees (whole frames at their own size); scaling by the image's own size keeps objects near it{evidence}");
        }
        return new(new TrainingOptions().Augmentation.ScaleMode, $"the paper's choice (frames of {shortSide} px are near the crop of {crop}, so its scaling trains around the size prediction sees)");
    }

    public static RecipePlan Plan(DatasetFingerprint f)
    {
        var paper = new TrainingOptions();
        int shortSide = Math.Min(f.MedianHeight, f.MedianWidth);
        // The largest multiple of 32 (every model's stride) that fits the median image, at most the paper's 512.
        int crop = Math.Clamp(shortSide / 32 * 32, 32, PaperCrop);
        var cropSetting = crop == PaperCrop
            ? new PlannedSetting<int>(crop, $"the median image ({f.MedianHeight} x {f.MedianWidth}) holds the paper's 512 crop")
            : new PlannedSetting<int>(crop, $"the largest multiple of 32 inside the median image ({f.MedianHeight} x {f.MedianWidth}); a 512 crop would be mostly padding");
        int batch = Math.Clamp(PaperBatch * PaperCrop * PaperCrop / (crop * crop), PaperBatch, MaxBatch);
        var batchSetting = new PlannedSetting<int>(batch, batch == PaperBatch
            ? "the paper's 4"
            : $"about the paper's pixels per step (4 x 512²) at crop {crop}, at most {MaxBatch}");

        bool hasObjects = f.Objects.Objects > 0;
        string? smallEvidence = ImbalanceEvidence(f);
        bool smallObjects = smallEvidence is not null;
        var scaleSetting = ScaleModeFor(f, crop);

        string channels = string.Join(", ", f.Channels.Select(c => $"channel {c.Channel}: mean {c.Mean:0.###}, std {c.Std:0.###}"));
        var normalisation = new PlannedSetting<string>("dataset loader", $"images reach the network as the loader reads them ({channels}); the plan does not change it");

        bool oversample = hasObjects && (f.EmptyImageShare >= 0.2 || smallObjects);
        var oversampleSetting = new PlannedSetting<double>(oversample ? 1.0 / 3 : 0, oversample
            ? $"nnU-Net's third of crops on objects: {f.EmptyImageShare:P0} of images are empty{(smallObjects ? $" and {smallEvidence}" : "")}, so uniform crops rarely hold one"
            : hasObjects ? "objects are large and most images hold one: uniform crops see them" : "the dataset has no objects");

        var lossSetting = smallObjects
            ? new PlannedSetting<TrainingLoss>(new(LossKind.DiceCrossEntropy), $"{smallEvidence}: cross-entropy alone gives them almost no gradient; the batch Dice term (nnU-Net) weighs each class's overlap")
            : new PlannedSetting<TrainingLoss>(paper.Loss, "objects are mostly large: the paper's cross-entropy");
        var epochs = new PlannedSetting<int>(paper.Epochs, "the paper's 100 (the fingerprint gives no reason to change it)");
        var selectBy = hasObjects && f.Objects.UltraSmall > 0
            ? new PlannedSetting<string>(SelectionScore.ForegroundDiceAndRecall, "the data has ultra-small objects: best.ckpt is the epoch that segments and finds them, not one an empty prediction could win")
            : new PlannedSetting<string>(SelectionScore.ForegroundDice, "per-image foreground Dice: an empty prediction cannot win it");
        return new RecipePlan
        {
            Fingerprint = f,
            Crop = cropSetting,
            Batch = batchSetting,
            ScaleMode = scaleSetting,
            Normalisation = normalisation,
            OversampleForeground = oversampleSetting,
            Loss = lossSetting,
            Epochs = epochs,
            SelectBy = selectBy,
        };
    }
}
