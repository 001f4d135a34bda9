using SoSeg.Data.Datasets;
using SoSeg.Data.Images;
using SoSeg.Data.Splits;
using SoSeg.Tests.Data.Datasets;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.Data.Splits;

public class SplitTests
{
    static readonly string[] Ids = Enumerable.Range(0, 23).Select(i => $"case_{i:D3}").ToArray();

    [Fact]
    public void KFold_partitions_every_id_once_into_validation_with_sizes_like_sklearn()
    {
        var folds = CaseSplitter.KFold(Ids, 5, seed: 12345);
        Assert.Equal(5, folds.Count);
        // 23 = 5 + 5 + 5 + 4 + 4: the first n mod k folds are one longer.
        Assert.Equal([5, 5, 5, 4, 4], folds.Select(f => f.Val.Count));
        Assert.Equal(Ids.Order(StringComparer.Ordinal), folds.SelectMany(f => f.Val).Order(StringComparer.Ordinal));
        foreach (var fold in folds)
        {
            Assert.Empty(fold.Train.Intersect(fold.Val));
            Assert.Equal(Ids.Length, fold.Train.Count + fold.Val.Count);
        }
    }

    [Fact]
    public void Splits_depend_on_ids_and_seed_only()
    {
        var shuffledInput = Ids.Reverse().ToArray();
        Assert.Equal(CaseSplitter.KFold(Ids, 3, 1).Select(f => f.Val), CaseSplitter.KFold(shuffledInput, 3, 1).Select(f => f.Val));
        Assert.NotEqual(CaseSplitter.KFold(Ids, 3, 1)[0].Val, CaseSplitter.KFold(Ids, 3, 2)[0].Val);
        var split = CaseSplitter.RandomSplit(Ids, 0.2, 42);
        Assert.Equal(5, split.Val.Count); // round(23 * 0.2)
        Assert.Equal(split, CaseSplitter.RandomSplit(shuffledInput, 0.2, 42), new FoldComparer());
    }

    [Fact]
    public void Hold_out_matches_the_paper_counts_and_stratifies_by_group()
    {
        // PolypGen's single frames: 1537 images -> 1230 + 307 (Table I).
        var ids = Enumerable.Range(0, 1537).Select(i => $"img{i}").ToArray();
        var sizes = new[] { 256, 301, 457, 227, 208, 88 };
        var groups = new Dictionary<string, string?>();
        int next = 0;
        for (int c = 0; c < sizes.Length; c++)
            for (int i = 0; i < sizes[c]; i++) groups[ids[next++]] = $"C{c + 1}";
        var split = CaseSplitter.HoldOut(ids, 0.2, 42, groups);
        Assert.Equal(1230, split.Train.Count);
        Assert.Equal(307, split.Test.Count);
        for (int c = 0; c < sizes.Length; c++)
        {
            int held = split.Test.Count(id => groups[id] == $"C{c + 1}");
            Assert.InRange(held, (int)Math.Floor(sizes[c] * 0.2), (int)Math.Ceiling(sizes[c] * 0.2));
        }
    }

    [Fact]
    public void Split_files_round_trip_in_nnunet_form()
    {
        using var temp = new TempFolder();
        var folds = CaseSplitter.KFold(Ids, 5, 12345);
        string path = temp.File(SplitFile.FoldsFileName);
        SplitFile.WriteFolds(path, folds);
        string text = File.ReadAllText(path);
        Assert.StartsWith("[", text.TrimStart());
        Assert.Contains("\"train\"", text);
        Assert.Contains("\"val\"", text);
        var read = SplitFile.ReadFolds(path);
        Assert.Equal(folds, read, new FoldComparer());

        var test = CaseSplitter.HoldOut(Ids, 0.2, 3);
        SplitFile.WriteTest(temp.File(SplitFile.TestFileName), test);
        var back = SplitFile.ReadTest(temp.File(SplitFile.TestFileName));
        Assert.Equal(test.Test, back.Test);
        Assert.Equal(3, back.Seed);
    }

    [Theory]
    [InlineData("{}", "expected a non-empty list")]
    [InlineData("""[ { "train": ["a"], "val": "b" } ]""", "fold 0: \"val\" must be a list")]
    [InlineData("""[ { "train": ["a", "a"], "val": ["b"] } ]""", "case \"a\" is listed twice")]
    [InlineData("""[ { "train": ["a", 3], "val": ["b"] } ]""", "not a case id string")]
    public void Malformed_split_files_are_named(string json, string problem)
    {
        using var temp = new TempFolder();
        string path = temp.File("splits_final.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<SoSegException>(() => SplitFile.ReadFolds(path));
        Assert.Contains("splits_final.json", error.Message);
        Assert.Contains(problem, error.Message);
    }

    static string VolumeDataset(TempFolder temp, int volumes)
    {
        for (int n = 0; n < volumes; n++)
        {
            TestFiles.Volume(temp.File($"atlas/imagesTr/im{n}.nii.gz"), TestFiles.Ramp(6, 6, 5), 6, 6, 5);
            TestFiles.Labels(temp.File($"atlas/labelsTr/lb{n}.nii.gz"), TestFiles.LiverLabels(6, 6, 5), 6, 6, 5);
        }
        return temp.File("atlas");
    }

    [Fact]
    public void Folds_of_a_volume_dataset_never_share_a_volume_and_are_reused_from_disk()
    {
        using var temp = new TempFolder();
        string root = VolumeDataset(temp, 10);
        var dataset = SegmentationDataset.Open(root);
        Assert.Equal(2, dataset.TestCases.Count);
        var fold = dataset.GetFold(1, folds: 4);
        Assert.Equal(4, fold.Count);
        Assert.True(File.Exists(Path.Combine(root, SplitFile.FoldsFileName)));
        Assert.True(File.Exists(Path.Combine(root, SplitFile.TestFileName)));

        var trainSlices = dataset.Items(fold.Train);
        var valSlices = dataset.Items(fold.Validation);
        Assert.Empty(trainSlices.Select(i => i.Case.Id).Intersect(valSlices.Select(i => i.Case.Id)));
        Assert.Equal(8 * 5, trainSlices.Count + valSlices.Count);
        Assert.DoesNotContain(fold.Train.Concat(fold.Validation), c => dataset.TestCases.Contains(c));

        // A new run with another seed still reads the files: same test cases, same folds.
        var again = SegmentationDataset.Open(root, new DatasetOptions { SplitSeed = 999 });
        Assert.Equal(dataset.TestCases.Select(c => c.Id), again.TestCases.Select(c => c.Id));
        Assert.Equal(fold.Validation.Select(c => c.Id), again.GetFold(1, folds: 2).Validation.Select(c => c.Id));
        Assert.Contains("fold 4 does not exist", Assert.Throws<SoSegException>(() => again.GetFold(4)).Message);
    }

    [Fact]
    public void Single_split_and_a_separate_splits_folder()
    {
        using var temp = new TempFolder();
        string root = VolumeDataset(temp, 6);
        string splits = temp.File("run/splits/x")[..^2];
        var dataset = SegmentationDataset.Open(root, new DatasetOptions { SplitsFolder = splits });
        var fold = dataset.GetFold();
        Assert.Equal(1, fold.Count);
        Assert.Single(fold.Validation); // round(5 * 0.2)
        Assert.Equal(4, fold.Train.Count);
        Assert.True(File.Exists(Path.Combine(splits, SplitFile.FoldsFileName)));
        Assert.False(File.Exists(Path.Combine(root, SplitFile.FoldsFileName)));
    }

    [Fact]
    public void Split_files_that_do_not_match_the_dataset_are_reported()
    {
        using var temp = new TempFolder();
        string root = VolumeDataset(temp, 5);
        SegmentationDataset.Open(root).GetFold();
        File.WriteAllText(Path.Combine(root, SplitFile.FoldsFileName), """[ { "train": ["im0", "im1", "im7"], "val": ["im2"] } ]""");
        var error = Assert.Throws<SoSegException>(() => SegmentationDataset.Open(root).GetFold());
        Assert.Contains("splits_final.json", error.Message);
        Assert.Contains("\"im7\"", error.Message);

        File.WriteAllText(Path.Combine(root, SplitFile.TestFileName), """{ "seed": 1, "fraction": 0.2, "train": ["im0"], "test": ["im9"] }""");
        var testError = Assert.Throws<SoSegException>(() => SegmentationDataset.Open(root));
        Assert.Contains("test_split.json", testError.Message);
        Assert.Contains("unknown case(s) im9", testError.Message);
    }

    [Fact]
    public void Layout_test_set_is_kept_and_no_test_split_file_is_written()
    {
        using var temp = new TempFolder();
        TestFiles.Json(temp.File("ds/dataset.json"), """
            { "channel_names": { "0": "grey" }, "labels": { "background": 0, "cell": 1 }, "file_ending": ".png" }
            """);
        for (int i = 0; i < 5; i++)
        {
            TestFiles.Grey(temp.File($"ds/imagesTr/c{i}_0000.png"), 4, 4);
            ImageWriter.WriteMask(temp.File($"ds/labelsTr/c{i}.png"), new byte[16], 4, 4);
        }
        TestFiles.Grey(temp.File("ds/imagesTs/t0_0000.png"), 4, 4);
        var dataset = SegmentationDataset.Open(temp.File("ds"));
        Assert.Equal(["t0"], dataset.TestCases.Select(c => c.Id));
        Assert.Null(dataset.TestCases[0].MaskPath);
        Assert.Null(dataset.Load(dataset.Items(DatasetSubset.Test)[0]).Mask);
        dataset.GetFold(0, 5);
        Assert.False(File.Exists(temp.File($"ds/{SplitFile.TestFileName}")));
    }

    sealed class FoldComparer : IEqualityComparer<SplitFold>
    {
        public bool Equals(SplitFold? x, SplitFold? y) => x!.Train.SequenceEqual(y!.Train) && x.Val.SequenceEqual(y.Val);
        public int GetHashCode(SplitFold obj) => obj.Train.Count;
    }
}
