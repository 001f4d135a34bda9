using System.Text.Json.Serialization;

namespace SoSeg.Data.Datasets;

/// <summary>The folder layouts SoSeg reads (docs/data.md shows each). Serialised by name in JSON reports.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DatasetLayout>))]
public enum DatasetLayout
{
    /// <summary>Detect from the folder's contents.</summary>
    Auto,
    /// <summary>SoSeg's own, nnU-Net style: dataset.json, imagesTr/CASE_0000.EXT, labelsTr/CASE.EXT, imagesTs/, labelsTs/.</summary>
    SoSeg,
    /// <summary>The PolypGen release: data_C1..data_C6/images_Ck/NAME.jpg with masks_Ck/NAME_mask.jpg.</summary>
    PolypGen,
    /// <summary>images/ + masks/ pairs by file name (Kvasir-SEG, CVC-ClinicDB), optionally under train/ and test/.</summary>
    ImagesMasks,
    /// <summary>The ATLAS liver release: imagesTr/imN.nii.gz with labelsTr/lbN.nii.gz (liver 1, tumour 2).</summary>
    Atlas,
}
