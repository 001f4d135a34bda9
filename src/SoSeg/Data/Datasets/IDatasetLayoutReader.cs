namespace SoSeg.Data.Datasets;

/// <summary>Reads one folder layout: tells whether a folder has it and lists the folder's cases.</summary>
public interface IDatasetLayoutReader
{
    DatasetLayout Layout { get; }

    /// <summary>The name users choose it by (lower case, e.g. "images-masks").</summary>
    string Name { get; }

    /// <summary>What a folder of this layout holds, for the error when no layout fits a folder.</summary>
    string Expected { get; }

    /// <summary>Place in automatic detection (lower first): a layout whose files another one's contain is tried before it.</summary>
    int DetectionOrder { get; }

    /// <summary>Whether <paramref name="folder"/> looks like this layout.</summary>
    bool Detects(string folder);

    /// <summary>The cases of <paramref name="folder"/>.</summary>
    DatasetDiscovery Discover(string folder, DatasetOptions options);
}
