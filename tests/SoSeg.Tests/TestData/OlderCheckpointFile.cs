using SoSeg.Models;

namespace SoSeg.Tests.TestData;

/// <summary>A checkpoint laid out as SoSeg wrote them before they carried checksums: state.json and model.bin in a zip.</summary>
public static class OlderCheckpointFile
{
    public static void Write(string path, string stateJson, SegmentationModel model)
    {
        using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create);
        using (var state = new StreamWriter(zip.CreateEntry("state.json").Open()))
            state.Write(stateJson);
        using var writer = new BinaryWriter(zip.CreateEntry("model.bin").Open());
        model.save(writer);
    }
}
