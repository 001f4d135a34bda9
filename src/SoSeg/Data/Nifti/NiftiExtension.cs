namespace SoSeg.Data.Nifti;

/// <summary>One NIfTI header extension: its ecode (6 = comment, 4 = AFNI, 2 = DICOM...) and its content bytes.</summary>
public sealed record NiftiExtension(int Code, byte[] Content);
