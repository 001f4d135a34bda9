using SoSeg.Metrics;
using SoSeg.Models;
using SoSeg.Runtime;
using SoSeg.Monitoring;
using SoSeg.App.Terminal;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using SoSeg.Checkpoints;
using SoSeg.App.Training;

namespace SoSeg.Tests.Training;

[Collection(SequentialCollection.Name)]
public class SelectionScoreTests : IDisposable
{
    readonly List<TempFolder> _folders = [];
    public void Dispose() { foreach (var folder in _folders) folder.Dispose(); }

    const int Size = 32;

    /// <summary>One 32 x 32 image with a 3 x 3 object; the prediction finds 4 of its pixels and, with <paramref name="falsePositives"/>, marks pixels elsewhere.</summary>
    static EvaluationReport Evaluate(bool predictSomething, int falsePositives = 200)
    {
        var truth = new byte[Size * Size];
        for (int y = 10; y < 13; y++) for (int x = 10; x < 13; x++) truth[y * Size + x] = 1;
        var prediction = new byte[Size * Size];
        if (predictSomething)
        {
            foreach (var (y, x) in new[] { (10, 10), (10, 11), (11, 10), (11, 11) }) prediction[y * Size + x] = 1;
            // False positives fill rows from the bottom, far from the object.
            for (int i = 0; i < falsePositives; i++) prediction[Size * Size - 1 - i] = 1;
        }
        var evaluator = new SegmentationEvaluator(["background", "spot"]);
        evaluator.Add("image", prediction, truth, Size, Size);
        return evaluator.Compute();
    }

    [Fact]
    public void An_all_background_prediction_wins_the_authors_mDice_but_scores_zero_and_is_flagged_on_the_foreground_scores()
    {
        var empty = SelectionScore.Metrics(Evaluate(predictSomething: false));
        var found = SelectionScore.Metrics(Evaluate(predictSomething: true));
        // By hand: empty: background Dice 2*1015/(1024+1015), foreground 0, mean over the two classes.
        Assert.Equal((2.0 * 1015 / 2039 + 0) / 2, empty["mDice"], 9);
        // found: 204 predicted, 4 hit; background: 820 predicted, 815 correct.
        Assert.Equal((2.0 * 815 / (820 + 1015) + 2.0 * 4 / (204 + 9)) / 2, found["mDice"], 9);
        Assert.True(empty["mDice"] > found["mDice"]); // the paper's selection would keep the model that found nothing

        Assert.Equal(0, empty["fg_dice_per_image"]);
        Assert.Equal(2.0 * 4 / (204 + 9), found["fg_dice_per_image"], 9);
        Assert.Equal(0, empty["fg_dice_recall"]);
        Assert.Equal((2.0 * 4 / 213 + 1) / 2, found["fg_dice_recall"], 9); // the one (ultra-small) object is found
        Assert.Equal(1, empty[SelectionScore.EmptyPrediction]);
        Assert.Equal(0, found[SelectionScore.EmptyPrediction]);
        Assert.False(SelectionScore.Eligible(empty));
        Assert.True(SelectionScore.Eligible(found));
    }

    [Theory]
    [InlineData(SelectionScore.ForegroundDice)]
    [InlineData(SelectionScore.ForegroundDiceAndRecall)]
    [InlineData(SelectionScore.AuthorsMDice)]
    public void Best_is_never_an_epoch_that_predicts_only_background(string selectBy)
    {
        // Epoch 1 finds the object, epochs 2-3 predict only background (the authors' mDice rises).
        var run = Train(selectBy, [true, false, false]);
        var records = EpochRecord.ReadCsv(run.MetricsCsv);
        Assert.True(records[1].Validation["mDice"] > records[0].Validation["mDice"]);
        var best = Checkpoint.ReadInfo(run.BestCheckpoint);
        Assert.Equal(1, best.BestEpoch);
        Assert.Equal("val_" + SelectionScore.MetricOf(selectBy), best.ScoreName);
    }

    [Fact]
    public void A_run_whose_first_epochs_find_nothing_keeps_no_best_until_an_epoch_finds_something()
    {
        var run = Train(SelectionScore.Default, [false, true]);
        Assert.Equal(2, Checkpoint.ReadInfo(run.BestCheckpoint).BestEpoch);
        var never = Train(SelectionScore.Default, [false, false]);
        Assert.False(File.Exists(never.BestCheckpoint));
        var log = new StringWriter();
        Assert.Equal(never.LastCheckpoint, never.ChooseCheckpoint("best", log));
        Assert.Contains("no epoch predicted any foreground", log.ToString());
    }

    [Fact]
    public void Unknown_selection_scores_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainingOptions { SelectBy = "accuracy" }.Validate());
        Assert.Contains("--select-by", SoSeg.Cli.SettingFlags.Describe(error)); // as the command line words it
    }

    RunFolder Train(string selectBy, bool[] epochsFind)
    {
        var folder = new TempFolder();
        _folders.Add(folder);
        string data = TinySpotDataset.Write(Path.Combine(folder.Path, "data"), train: 4, test: 1);
        var config = new TrainConfig
        {
            Data = data,
            Training = new TrainingOptions
            {
                Model = "unet", ModelOptions = new() { ["base-width"] = "4" }, Epochs = epochsFind.Length, BatchSize = 2,
                Augmentation = SoSeg.Augmentation.AugmentationOptions.Default with { CropSize = 32 }, Seed = 3, LoaderThreads = 1, StepsPerEpoch = 1, SelectBy = selectBy,
            },
        };
        var run = new RunFolder(Path.Combine(folder.Path, "run"));
        Directory.CreateDirectory(run.Folder);
        var device = TorchRuntime.Resolve(DeviceSpec.Cpu);
        SoSeg.Training.Recipes.PaperRecipe.Train(config.Training, TrainingSession.OpenData(config, run), device, run,
            new SoSeg.Augmentation.AugmentationPipeline(config.Training.Augmentation),
            new ScriptedValidator(selectBy, epochsFind), new Progress(plainOut: TextWriter.Null), TextWriter.Null, resume: false);
        return run;
    }

    /// <summary>Scores each epoch as if the model had made the scripted prediction (found the object or predicted only background).</summary>
    sealed class ScriptedValidator(string selectBy, bool[] epochsFind) : IValidator
    {
        int _epoch;
        public string ScoreName => SelectionScore.MetricOf(selectBy);
        public IReadOnlyDictionary<string, double> Validate(SegmentationModel model, TrainingData data, IProgressTask? progress) =>
            SelectionScore.Metrics(Evaluate(epochsFind[_epoch++]));
    }
}
