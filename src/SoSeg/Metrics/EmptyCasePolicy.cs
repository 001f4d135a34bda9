using System.Text.Json.Serialization;

namespace SoSeg.Metrics;

/// <summary>
/// What a per-image overlap score (Dice, IoU, precision, recall, F2) is when the image has nothing to
/// score: no predicted and no ground-truth pixels of the evaluated class (TP = FP = FN = 0).
/// Any other image without a true positive scores 0 on all five.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<EmptyCasePolicy>))]
public enum EmptyCasePolicy
{
    /// <summary>The score is undefined (NaN) and the image is left out of the mean (nnU-Net: NaN, nanmean). Default.</summary>
    Exclude,
    /// <summary>A correct "nothing here" counts as a perfect 1.</summary>
    CountAsOne,
    /// <summary>Counts as 0, as PraNet's <c>eval/Fmeasure_calu.m</c> does (every image with TP = 0 scores 0).</summary>
    CountAsZero,
}
