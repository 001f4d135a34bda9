namespace SoSeg.Data.Datasets;

/// <summary>Which part of a dataset a case belongs to.</summary>
public enum DatasetSubset
{
    Train,
    Test,
}
