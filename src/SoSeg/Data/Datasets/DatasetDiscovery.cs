namespace SoSeg.Data.Datasets;

/// <summary>What a layout found in a folder: the cases, their labels and how masks are stored.</summary>
/// <param name="Layout">The layout read.</param>
/// <param name="Root">The folder whose files were listed (may be below the folder the user gave).</param>
/// <param name="Manifest">dataset.json, or the layout's built-in description when the release has none.</param>
/// <param name="ManifestPath">The dataset.json read, or null.</param>
/// <param name="Cases">Every case; Subset is Train unless the layout has a test set.</param>
/// <param name="LayoutHasTestSet">True when the layout itself separates test cases (imagesTs/, test/).</param>
/// <param name="BinaryThresholdMasks">Masks are binary images thresholded at half range (JPEG or 0/255 masks).</param>
internal sealed record DatasetDiscovery(
    DatasetLayout Layout,
    string Root,
    DatasetManifest Manifest,
    string? ManifestPath,
    IReadOnlyList<DatasetCase> Cases,
    bool LayoutHasTestSet,
    bool BinaryThresholdMasks);
