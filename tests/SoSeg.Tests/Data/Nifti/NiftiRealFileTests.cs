using SoSeg.Data.Nifti;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Data.Nifti;

/// <summary>
/// Reads real NIfTI files from Debian's python3-nibabel and insighttoolkit5-examples. Expected values are
/// the ones nibabel's own test suite states for these files (nibabel/cmdline/tests/test_utils.py,
/// nibabel/tests/test_scripts.py, test_nifti1.py, test_processing.py, data/gen_standard.py).
/// </summary>
public class NiftiRealFileTests
{
    /// <summary>Read on first use by a test that needs the files, so tests without them run when they are missing.</summary>
    static DebianTestData Data => DebianTestData.Instance;

    [Fact]
    public void Example4d_matches_nibabels_documented_header()
    {
        var image = NiftiReader.Read(Data.Nibabel("example4d.nii.gz"));
        var h = image.Header;
        Assert.Equal(1, h.Version);
        Assert.False(h.BigEndian);
        Assert.Equal([128L, 96, 24, 2], image.Shape);
        Assert.Equal(NiftiDataType.Int16, image.DataType);
        Assert.Equal(16, h.BitPix);
        Assert.Equal(-1.0, h.PixDim[0]);
        Assert.Equal(2.0, h.PixDim[1]);
        Assert.Equal(2.19999909, h.PixDim[3], 6);
        Assert.Equal(2000.0, h.PixDim[4]);
        Assert.Equal(57, h.DimInfo);
        Assert.Equal(23, h.SliceEnd);
        Assert.Equal(10, h.XyztUnits);
        Assert.Equal(1162.0, h.CalMax);
        Assert.Equal("FSL3.3", h.Description);
        Assert.Equal(1, h.QFormCode);
        Assert.Equal(1, h.SFormCode);
        Assert.Equal(-0.9967085123062134, h.QuaternC, 7);
        Assert.Equal(-0.0810687392950058, h.QuaternD, 7);
        Assert.Equal(117.8551025390625, h.QOffsetX, 5);

        // srow_* as nibabel's nib-diff test lists them; the sform wins because sform_code > 0.
        double[,] expected =
        {
            { -2.0, 6.71471565e-19, 9.08102451e-18, 117.855103 },
            { -6.71471565e-19, 1.97371149, -0.355528235, -35.7229424 },
            { 8.25548089e-18, 0.323207617, 2.17108178, -7.24879837 },
            { 0, 0, 0, 1 },
        };
        Assert.Equal("sform", h.AffineSource);
        Assert.True(NiftiTransforms.MaxDifference(expected, image.Affine) < 1e-5);
        // FSL wrote the same transform as a quaternion: the qform must agree with the sform.
        Assert.True(NiftiTransforms.MaxDifference(h.SFormAffine, h.QFormAffine) < 1e-4);
    }

    [Fact]
    public void Example4d_voxel_statistics_match_nib_ls()
    {
        // nib-ls -c -s -z --all-counts: [589824] [0, 1.2e+03] 0:360099 2:3 3:2 4:1 5:1 ...; without -z: [229725] nonzero.
        var image = NiftiReader.Read(Data.Nibabel("example4d.nii.gz"));
        var values = image.Voxels<short>();
        Assert.Equal(589824, values.Length);
        var counts = new Dictionary<short, int>();
        foreach (short v in values) counts[v] = counts.GetValueOrDefault(v) + 1;
        Assert.Equal(360099, counts[0]);
        Assert.Equal(229725, values.Length - counts[0]);
        Assert.Equal(3, counts[2]);
        Assert.Equal(2, counts[3]);
        Assert.Equal(1, counts[4]);
        Assert.Equal(1, counts[5]);
        Assert.Equal(0, counts.Keys.Min());
        Assert.Equal(1162, counts.Keys.Max());
        Assert.DoesNotContain(counts.Keys, k => k is 1);
        // Values read as floats equal the stored integers (scl_slope is 1).
        var floats = image.ToFloat();
        Assert.Equal(1162f, floats.Max());
    }

    [Fact]
    public void Example4d_keeps_its_two_comment_extensions()
    {
        var h = NiftiReader.ReadHeader(Data.Nibabel("example4d.nii.gz"));
        Assert.Equal([6, 6], h.Extensions.Select(e => e.Code));
        Assert.Equal("extcomment1", System.Text.Encoding.ASCII.GetString(h.Extensions[0].Content));
    }

    [Fact]
    public void Nifti2_example_matches_nib_ls()
    {
        // nib-ls: [ 32,  20,  12,   2] 2.00x2.00x2.20x2000.00  #exts: 2 sform [15360]  [46, 7.6e+02]
        var image = NiftiReader.Read(Data.Nibabel("example_nifti2.nii.gz"));
        Assert.Equal(2, image.Header.Version);
        Assert.Equal([32L, 20, 12, 2], image.Shape);
        Assert.Equal(2.2, image.Header.PixDim[3], 5);
        Assert.Equal(2000, image.Header.PixDim[4]);
        Assert.Equal(2, image.Header.Extensions.Count);
        Assert.Equal("sform", image.Header.AffineSource);
        var values = image.ToFloat();
        var nonzero = values.Where(v => v != 0).ToArray();
        Assert.Equal(15360, nonzero.Length);
        Assert.Equal(46f, nonzero.Min());
        Assert.InRange(nonzero.Max(), 755f, 765f);
    }

    [Fact]
    public void Standard_mask_has_the_generator_affine_and_binary_values()
    {
        // gen_standard.py: a 4 x 5 x 7 uint8 mask (255 where rand > 0.8), affine diag(1, 3, 2), saved with sform code 2.
        var image = NiftiReader.Read(Data.Nibabel("standard.nii.gz"));
        Assert.Equal([4L, 5, 7], image.Shape);
        Assert.Equal(NiftiDataType.UInt8, image.DataType);
        Assert.Equal(2, image.Header.SFormCode);
        Assert.Equal(0, image.Header.QFormCode);
        double[,] expected = { { 1, 0, 0, 0 }, { 0, 3, 0, 0 }, { 0, 0, 2, 0 }, { 0, 0, 0, 1 } };
        Assert.Equal(0, NiftiTransforms.MaxDifference(expected, image.Affine));
        var values = image.Voxels<byte>().ToArray();
        Assert.All(values, v => Assert.True(v is 0 or 255));
        Assert.Contains(values, v => v == 255);
    }

    [Fact]
    public void Big_endian_anatomical_reads_with_the_documented_diagonal_affine()
    {
        // test_processing.py: "anatomical.nii has a diagonal -2, 2 2 affine"; nib's brikhead doc gives 33 x 41 x 25.
        var image = NiftiReader.Read(Data.Nibabel("anatomical.nii"));
        Assert.True(NiftiReader.ReadHeader(Data.Nibabel("anatomical.nii")).BigEndian);
        Assert.Equal([33L, 41, 25], image.Shape);
        Assert.Equal(NiftiDataType.Int16, image.DataType);
        var a = image.Affine;
        Assert.Equal(-2, a[0, 0], 6);
        Assert.Equal(2, a[1, 1], 6);
        Assert.Equal(2, a[2, 2], 6);
        var values = image.ToFloat();
        Assert.All(values, v => Assert.True(float.IsFinite(v)));
        // Byte-swapped correctly: a brain image that is positive almost everywhere (33799 of 33825 voxels);
        // read in the wrong byte order about half the values would come out negative.
        Assert.Equal(33799, values.Count(v => v > 0));
        Assert.Equal(30393f, values.Max());
    }

    [Fact]
    public void Functional_applies_scl_slope_and_inter()
    {
        var image = NiftiReader.Read(Data.Nibabel("functional.nii"));
        Assert.Equal([17L, 21, 3, 20], image.Shape);
        Assert.Equal(4, image.Rank);
        Assert.Equal(20, image.SizeT);
        Assert.Equal(0.07540696859359741, image.Header.SclSlope, 9);
        Assert.Equal(3100.76171875, image.Header.SclInter, 6);
        var raw = image.Voxels<short>();
        var scaled = image.ToFloat();
        for (int i = 0; i < raw.Length; i += 97)
            Assert.Equal(raw[i] * 0.07540696859359741 + 3100.76171875, scaled[i], 0.005);
        Assert.Equal(raw[5] * 0.07540696859359741 + 3100.76171875, image.GetValue(5, 0, 0), 6);
        Assert.Equal(-4, image.Affine[0, 0], 6);
        Assert.Equal(4, image.Affine[1, 1], 6);
    }

    [Fact]
    public void Header_only_pairs_read_and_report_the_missing_image_file()
    {
        // nib-ls: nifti2.hdr is [ 91, 109,  91] 2.00x2.00x2.00 and its data file is absent (!error).
        var h1 = NiftiReader.ReadHeader(Data.Nibabel("nifti1.hdr"));
        var h2 = NiftiReader.ReadHeader(Data.Nibabel("nifti2.hdr"));
        Assert.False(h1.SingleFile);
        Assert.False(h2.SingleFile);
        Assert.Equal(2, h2.Version);
        Assert.Equal([91L, 109, 91], h1.Shape);
        Assert.Equal([91L, 109, 91], h2.Shape);
        Assert.Equal([2.0, 2.0, 2.0], h2.Spacing);
        var error = Assert.Throws<SoSegException>(() => NiftiReader.Read(Data.Nibabel("nifti1.hdr")));
        Assert.Contains("nifti1.hdr", error.Message);
        Assert.Contains(".img", error.Message);
    }

    [Fact]
    public void Pair_with_an_img_file_reads_its_voxels()
    {
        using var temp = new TempFolder();
        string header = Path.Combine(temp.Path, "pair.hdr");
        File.Copy(Data.Nibabel("nifti1.hdr"), header);
        var h = NiftiReader.ReadHeader(header);
        var voxels = new short[h.VoxelCount];
        for (int i = 0; i < voxels.Length; i++) voxels[i] = (short)(i % 1000);
        var bytes = new byte[voxels.Length * 2];
        Buffer.BlockCopy(voxels, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(Path.Combine(temp.Path, "pair.img"), bytes);

        foreach (string open in (string[])["pair.hdr", "pair.img"])
        {
            var image = NiftiReader.Read(Path.Combine(temp.Path, open));
            Assert.Equal(NiftiDataType.Int16, image.DataType);
            Assert.Equal(voxels, image.Voxels<short>().ToArray());
        }
    }

    [Fact]
    public void Analyze_header_without_magic_is_rejected_by_name()
    {
        var error = Assert.Throws<SoSegException>(() => NiftiReader.Read(Data.Nibabel("analyze.hdr")));
        Assert.Contains("analyze.hdr", error.Message);
        Assert.Contains("Analyze 7.5", error.Message);
    }

    [Fact]
    public void Itk_kmeans_volume_and_segmentation_share_a_coronal_geometry()
    {
        var t1 = NiftiReader.Read(Data.Itk("KmeansTest_T1UCharRaw.nii.gz"));
        var labels = NiftiReader.Read(Data.Itk("KmeansTest_T1KmeansPrelimSegmentation.nii.gz"));
        Assert.Equal([128L, 128, 62], t1.Shape);
        Assert.Equal(t1.Shape, labels.Shape);
        Assert.Equal([2.0, 2.0, 3.0], t1.Spacing);
        Assert.Equal(0, NiftiTransforms.MaxDifference(t1.Affine, labels.Affine));
        // The stored third axis runs anterior-posterior: array axis 1 is the one along the body's long axis.
        Assert.Equal(1, NiftiTransforms.AxialAxis(t1.Affine));
        Assert.True(NiftiTransforms.MaxDifference(t1.Header.SFormAffine, t1.Header.QFormAffine) < 1e-5);
        var classes = labels.Voxels<byte>().ToArray().Distinct().Order().ToArray();
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 5, 6 }, classes);
        var intensities = t1.ToFloat();
        Assert.Equal(0f, intensities.Min());
        Assert.Equal(255f, intensities.Max());
    }
}
