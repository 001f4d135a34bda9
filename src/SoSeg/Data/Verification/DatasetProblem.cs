namespace SoSeg.Data.Verification;

/// <summary>What is wrong with a dataset file.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<ProblemKind>))]
public enum ProblemKind
{
    /// <summary>The file cannot be decoded: missing, empty, damaged, or declaring more pixels or voxels than SoSeg reads.</summary>
    Unreadable,
    /// <summary>The file ends before its data does.</summary>
    Truncated,
    /// <summary>A mask (or another channel file) of another size or grid than its image.</summary>
    Size,
    /// <summary>An image with another channel count than the dataset declares.</summary>
    Channels,
    /// <summary>Mask values that are not labels of the dataset (or a mask the dataset cannot read as labels).</summary>
    Labels,
    /// <summary>NaN or infinite intensities.</summary>
    NotFinite,
    /// <summary>An image with the same content as another case's image.</summary>
    Duplicate,
}

/// <summary>One problem of one file.</summary>
/// <param name="File">The file at fault.</param>
/// <param name="Kind">What kind of problem.</param>
/// <param name="Message">One line naming the file and the problem.</param>
public sealed record DatasetProblem(string File, ProblemKind Kind, string Message);
