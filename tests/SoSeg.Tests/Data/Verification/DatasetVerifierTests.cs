using SoSeg.Data.Datasets;
using SoSeg.Data.Images;
using SoSeg.Data.Nifti;
using SoSeg.Data.Verification;
using SoSeg.Tests.Data.Datasets;
using SoSeg.Tests.Data.Images;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Data.Verification;

/// <summary>The dataset check lists every problem with its file and kind, and reuses unchanged cases from its cache.</summary>
public class DatasetVerifierTests
{
    const string GreyManifest = """
        { "channel_names": { "0": "grey" }, "labels": { "background": 0, "cell": 1 }, "file_ending": ".png" }
        """;

    /// <summary>A grey 2-D dataset of <paramref name="cases"/> good cases c0, c1, ... (10 x 8 images, distinct content).</summary>
    static string GreyDataset(TempFolder temp, int cases)
    {
        TestFiles.Json(temp.File("ds/dataset.json"), GreyManifest);
        for (int i = 0; i < cases; i++)
        {
            var pixels = TestFiles.GreyPixels(10, 8);
            pixels[0] = (byte)i; // every image differs, so no duplicate unless a test makes one
            ImageWriter.WriteGrey(temp.File($"ds/imagesTr/c{i}_0000.png"), pixels, 10, 8);
            ImageWriter.WriteMask(temp.File($"ds/labelsTr/c{i}.png"), TestFiles.Rectangle(10, 8, 1, 3, 1, 3, 1), 10, 8);
        }
        return temp.File("ds");
    }

    static VerificationReport Verify(string root, VerificationCache? cache = null) =>
        DatasetVerifier.Verify(SegmentationDataset.Open(root, new DatasetOptions { TestFraction = 0 }), cache);

    [Fact]
    public void A_clean_dataset_has_no_problems()
    {
        using var temp = new TempFolder();
        var report = Verify(GreyDataset(temp, 3));
        Assert.True(report.Ok, string.Join("\n", report.Problems.Select(p => p.Message)));
        Assert.Equal((3, 6, 3), (report.Cases, report.Files, report.Decoded));
    }

    [Fact]
    public void Every_problem_of_every_2d_file_is_listed_with_its_file_and_kind()
    {
        using var temp = new TempFolder();
        string root = GreyDataset(temp, 8);
        string Image(int i) => temp.File($"ds/imagesTr/c{i}_0000.png");
        string Mask(int i) => temp.File($"ds/labelsTr/c{i}.png");
        File.WriteAllText(Image(1), string.Concat(Enumerable.Repeat("this is no image at all. ", 40)));       // unreadable
        var whole = File.ReadAllBytes(Mask(2));
        TestFiles.Grey(Image(2), 200, 200);
        var big = File.ReadAllBytes(Image(2));
        File.WriteAllBytes(Image(2), big[..(big.Length / 2)]);                                                   // truncated
        ImageWriter.WriteMask(Mask(3), new byte[12 * 8], 12, 8);                                                 // size
        TestFiles.Rgb(Image(4), 10, 8);                                                                          // channels
        ImageWriter.WriteMask(Mask(5), TestFiles.Rectangle(10, 8, 0, 2, 0, 2, 3), 10, 8);                      // labels
        File.Copy(Image(0), Image(6), overwrite: true);                                                          // duplicate
        TestFiles.HeaderOnlyPng(Mask(7), 60000, 60000);                                                          // unreadable (too large)

        var report = Verify(root);
        var byFile = report.Problems.ToDictionary(p => p.File, p => p);
        Assert.Equal(7, report.Problems.Count);
        Assert.Equal(ProblemKind.Unreadable, byFile[Image(1)].Kind);
        Assert.Equal(ProblemKind.Truncated, byFile[Image(2)].Kind);
        Assert.Equal(ProblemKind.Size, byFile[Mask(3)].Kind);
        Assert.Equal(ProblemKind.Channels, byFile[Image(4)].Kind);
        Assert.Equal(ProblemKind.Labels, byFile[Mask(5)].Kind);
        Assert.Contains("3 (4 pixels)", byFile[Mask(5)].Message);
        Assert.Equal(ProblemKind.Duplicate, byFile[Image(6)].Kind);
        Assert.Contains(Image(0), byFile[Image(6)].Message);
        Assert.Equal(ProblemKind.Unreadable, byFile[Mask(7)].Kind);
        Assert.Contains("60000 x 60000", byFile[Mask(7)].Message);
        Assert.All(report.Problems, p => Assert.StartsWith(p.File, p.Message));
        Assert.Equal(whole.Length, File.ReadAllBytes(Mask(2)).Length); // the check wrote nothing
    }

    [Fact]
    public void Volume_problems_are_listed_too()
    {
        using var temp = new TempFolder();
        string V(string name) => temp.File($"v/{name}");
        var nan = TestFiles.Ramp(4, 4, 4);
        nan[17] = float.NaN;
        TestFiles.Volume(V("imagesTr/im0.nii.gz"), nan, 4, 4, 4, type: NiftiDataType.Float32);        // not finite
        TestFiles.Labels(V("labelsTr/lb0.nii.gz"), new byte[64], 4, 4, 4);
        TestFiles.Volume(V("imagesTr/im1.nii.gz"), TestFiles.Ramp(4, 4, 4), 4, 4, 4);
        TestFiles.Labels(V("labelsTr/lb1.nii.gz"), new byte[48], 4, 4, 3);                             // size
        var other = TestFiles.Ramp(4, 4, 4);
        other[0] += 1;
        TestFiles.Volume(V("imagesTr/im2.nii.gz"), other, 4, 4, 4);
        var labels = new byte[64];
        labels[5] = 9;
        TestFiles.Labels(V("labelsTr/lb2.nii.gz"), labels, 4, 4, 4);                                   // labels
        TestFiles.Volume(V("imagesTr/im3.nii.gz"), TestFiles.Ramp(8, 8, 4), 8, 8, 4);
        var bytes = File.ReadAllBytes(V("imagesTr/im3.nii.gz"));
        File.WriteAllBytes(V("imagesTr/im3.nii.gz"), bytes[..(bytes.Length / 2)]);                     // truncated
        TestFiles.Labels(V("labelsTr/lb3.nii.gz"), new byte[256], 8, 8, 4);

        var report = Verify(temp.File("v"));
        var kinds = report.Problems.ToDictionary(p => Path.GetFileName(p.File), p => p.Kind);
        Assert.True(report.Problems.Count == 4, string.Join("\n", report.Problems));
        Assert.Equal(ProblemKind.NotFinite, kinds["im0.nii.gz"]);
        Assert.Equal(ProblemKind.Size, kinds["lb1.nii.gz"]);
        Assert.Equal(ProblemKind.Labels, kinds["lb2.nii.gz"]);
        Assert.Equal(ProblemKind.Truncated, kinds["im3.nii.gz"]);
    }

    [Fact]
    public void A_cut_progressive_jpeg_in_an_images_masks_dataset_is_truncated()
    {
        using var temp = new TempFolder();
        File.Copy(DecodeLimitTests.ProgressiveJpeg, temp.File("d/images/a.jpg"));
        DecodeLimitTests.CutProgressiveJpeg(temp.File("d/images/b.jpg"), 50);
        foreach (var id in new[] { "a", "b" }) ImageWriter.WriteMask(temp.File($"d/masks/{id}.png"), new byte[96 * 64], 64, 96);
        var report = Verify(temp.File("d"));
        var problem = Assert.Single(report.Problems);
        Assert.Equal((temp.File("d/images/b.jpg"), ProblemKind.Truncated), (problem.File, problem.Kind));
    }

    [Fact]
    public void A_second_check_of_an_unchanged_dataset_decodes_nothing_and_a_changed_file_is_checked_again()
    {
        using var temp = new TempFolder();
        string root = GreyDataset(temp, 4);
        ImageWriter.WriteMask(temp.File("ds/labelsTr/c2.png"), TestFiles.Rectangle(10, 8, 0, 2, 0, 2, 3), 10, 8);
        var cache = new VerificationCache(Path.Combine(temp.Path, "cache"));

        var first = Verify(root, cache);
        Assert.Equal((4, 0), (first.Decoded, first.FromCache));
        string cacheFile = cache.FileFor(root)!;
        Assert.True(File.Exists(cacheFile));
        Assert.StartsWith(Path.Combine(temp.Path, "cache"), cacheFile);
        Assert.DoesNotContain(Directory.GetFiles(root, "*", SearchOption.AllDirectories), f => f.EndsWith(".json") && !f.EndsWith("dataset.json"));

        var second = Verify(root, cache);
        Assert.Equal((0, 4), (second.Decoded, second.FromCache));
        Assert.Equal(first.Problems, second.Problems); // a cached problem is still reported

        // Fixing the mask changes its size and time: only that case is decoded again.
        ImageWriter.WriteMask(temp.File("ds/labelsTr/c2.png"), TestFiles.Rectangle(10, 8, 0, 2, 0, 2, 1), 10, 8);
        File.SetLastWriteTimeUtc(temp.File("ds/labelsTr/c2.png"), DateTime.UtcNow.AddMinutes(1));
        var third = Verify(root, cache);
        Assert.Equal(1, third.Decoded);
        Assert.True(third.Ok);
    }

    [Fact]
    public void The_cache_is_keyed_by_the_dataset_folder_and_ignores_a_damaged_file()
    {
        using var temp = new TempFolder();
        var cache = new VerificationCache(Path.Combine(temp.Path, "cache"));
        Assert.NotEqual(cache.FileFor(temp.File("a/x")), cache.FileFor(temp.File("b/x")));
        string root = GreyDataset(temp, 2);
        Verify(root, cache);
        File.WriteAllText(cache.FileFor(root)!, "{ not json");
        Assert.Equal(2, Verify(root, cache).Decoded);
        Assert.Equal(0, Verify(root, cache).Decoded);
    }

    [Fact]
    public void Shared_case_ids_are_all_named_when_the_dataset_is_opened()
    {
        using var temp = new TempFolder();
        // imagesTr/a_0000.png and imagesTs/a_0000.png are both case "a", and so on.
        TestFiles.Json(temp.File("s/dataset.json"), GreyManifest);
        foreach (var (sub, labels) in new[] { ("imagesTr", "labelsTr"), ("imagesTs", "labelsTs") })
            foreach (var id in new[] { "a", "b" })
            {
                TestFiles.Grey(temp.File($"s/{sub}/{id}_0000.png"), 4, 4);
                ImageWriter.WriteMask(temp.File($"s/{labels}/{id}.png"), new byte[16], 4, 4);
            }
        var error = Assert.Throws<SoSegException>(() => SegmentationDataset.Open(temp.File("s")));
        Assert.Contains("\"a\"", error.Message);
        Assert.Contains("\"b\"", error.Message);
    }
}
