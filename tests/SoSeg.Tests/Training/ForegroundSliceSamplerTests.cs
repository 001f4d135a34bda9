using SoSeg.App.Training;
using SoSeg.Augmentation;
using SoSeg.Losses;
using SoSeg.Models;
using SoSeg.Models.Catalog;
using SoSeg.Monitoring;
using SoSeg.Runtime;
using SoSeg.Tests.Data.Datasets;
using SoSeg.Tests.TestData;
using SoSeg.Training;
using static TorchSharp.torch;

namespace SoSeg.Tests.Training;

/// <summary>
/// Foreground oversampling on volume slices picks the slice as nnU-Net's 2-D sampler does: a class drawn among the
/// volume's classes, then a slice of that volume holding it; a class on one slice of many is then seen far more often.
/// </summary>
[Collection(SequentialCollection.Name)]
public class ForegroundSliceSamplerTests : IDisposable
{
    readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Volume "a": 10 slices with class 1, slice 7 also with class 2; "b": 5 slices with class 1; "c": 3 empty slices.</summary>
    static List<TrainingSlice> ThreeVolumes()
    {
        var slices = new List<TrainingSlice>();
        for (int s = 0; s < 10; s++) slices.Add(new TrainingSlice("a", s == 7 ? [1, 2] : [1]));
        for (int s = 0; s < 5; s++) slices.Add(new TrainingSlice("b", [1]));
        for (int s = 0; s < 3; s++) slices.Add(new TrainingSlice("c", []));
        return slices;
    }

    [Fact]
    public void Every_moved_place_goes_to_a_slice_of_its_volume_holding_a_class_drawn_among_the_volumes()
    {
        var slices = ThreeVolumes();
        const int repeats = 2000;
        var order = Enumerable.Range(0, repeats).SelectMany(_ => Enumerable.Range(0, 18)).ToArray();
        var original = order.ToArray();
        var focus = new ForegroundSliceSampler(slices, share: 1).Draw(order, epochSeed: 11);

        int onTumour = 0, aPlaces = 0, tumourSliceInA = 0;
        for (int i = 0; i < order.Length; i++)
        {
            // Never leaves its volume.
            Assert.Equal(slices[original[i]].Volume, slices[order[i]].Volume);
            if (focus[i].Class is byte cls) Assert.Contains(cls, slices[order[i]].Classes);
            switch (slices[original[i]].Volume)
            {
                case "a":
                    aPlaces++;
                    if (focus[i].Class == 2) onTumour++;
                    if (order[i] == 7) tumourSliceInA++;
                    break;
                case "b":
                    Assert.Equal((byte)1, focus[i].Class);
                    break;
                case "c":
                    // No foreground in the volume: the place and its uniform crop stay.
                    Assert.Equal(original[i], order[i]);
                    Assert.Null(focus[i].Class);
                    break;
            }
        }
        // Class 2 on half of volume a's places (by slice it would be 1 in 10); slice 7 also gets a tenth of the class-1 half.
        Assert.InRange(onTumour / (double)aPlaces, 0.47, 0.53);
        Assert.InRange(tumourSliceInA / (double)aPlaces, 0.52, 0.58);
    }

    [Fact]
    public void A_share_of_places_is_moved_and_the_draw_repeats_for_a_seed()
    {
        var slices = ThreeVolumes();
        var order = Enumerable.Range(0, 3000).Select(i => i % 15).ToArray(); // volumes a and b only
        var first = order.ToArray();
        var focus = new ForegroundSliceSampler(slices, share: 1.0 / 3).Draw(first, epochSeed: 5);
        Assert.InRange(focus.Count(f => f.Class is not null) / 3000.0, 0.30, 0.37);
        // Places not moved keep their slice.
        for (int i = 0; i < order.Length; i++) if (focus[i].Class is null) Assert.Equal(order[i], first[i]);

        var again = order.ToArray();
        Assert.Equal(focus, new ForegroundSliceSampler(slices, share: 1.0 / 3).Draw(again, epochSeed: 5));
        Assert.Equal(first, again);
        var otherEpoch = order.ToArray();
        new ForegroundSliceSampler(slices, share: 1.0 / 3).Draw(otherEpoch, epochSeed: 6);
        Assert.NotEqual(first, otherEpoch);
    }

    [Fact]
    public void Training_on_volume_slices_sees_a_one_slice_tumour_in_over_half_the_crops()
    {
        // Four training volumes of 8 slices (one goes to validation): liver on slices 1-6, a tumour on slice 2 only.
        const int nx = 16, ny = 16, nz = 8;
        string data = _folder.File("atlas/x");
        data = Path.GetDirectoryName(data)!;
        TestFiles.AtlasVolumes(data, 5, nx, ny, nz);
        var config = new TrainConfig
        {
            Data = data,
            Training = new TrainingOptions
            {
                Model = "unet", Epochs = 1, BatchSize = 4, StepsPerEpoch = 30, Seed = 2, LoaderThreads = 1,
                Augmentation = AugmentationOptions.CropOnly with { CropSize = 16, OversampleForeground = 1 },
            },
        };
        var run = new RunFolder(_folder.File("run"));
        Directory.CreateDirectory(run.Folder);
        var volumeData = TrainingSession.OpenData(config, run);
        Assert.Equal(volumeData.TrainIds.Count, volumeData.TrainSlices!.Count);
        Assert.Equal(24, volumeData.TrainIds.Count);
        // The slice contents come from the label volumes: nothing on slices 0 and 7, the tumour on slice 2.
        Assert.Equal([(byte)1, 2], volumeData.TrainSlices[volumeData.TrainIds.ToList().FindIndex(id => id.EndsWith("_z002"))].Classes);
        Assert.Empty(volumeData.TrainSlices[volumeData.TrainIds.ToList().FindIndex(id => id.EndsWith("_z007"))].Classes);
        // Without oversampling nothing is read.
        Assert.Null(TrainingSession.OpenData(config with { Training = config.Training with { Augmentation = config.Training.Augmentation with { OversampleForeground = 0 } } }, run).TrainSlices);

        int acrossVolume = CropsWithTumour(volumeData, config.Training);
        // The same share of crops centred within uniformly drawn slices: only the tumour's own slice (1 in 8) holds it.
        var withoutSlices = new TrainingData
        {
            DatasetName = volumeData.DatasetName, TrainIds = volumeData.TrainIds, ValidationIds = volumeData.ValidationIds, Load = volumeData.Load,
            Channels = volumeData.Channels, ClassNames = volumeData.ClassNames, LabelValues = volumeData.LabelValues,
        };
        int withinSlice = CropsWithTumour(withoutSlices, config.Training);
        // 120 crops: class 2 drawn for half the places, plus its slice for a sixth of the class-1 half (about 70), against about 15.
        Assert.InRange(acrossVolume, 55, 85);
        Assert.InRange(withinSlice, 5, 28);
    }

    static int CropsWithTumour(TrainingData data, TrainingOptions options)
    {
        using var model = ModelRegistry.Create("unet", data.Channels, data.NumClasses, ModelOptions.Parse(["base-width=4"]));
        var loss = new CountingLoss();
        new Trainer(model, loss, options, data, TorchRuntime.Resolve(DeviceSpec.Cpu), new AugmentationPipeline(options.Augmentation), new NoValidation()).Fit();
        Assert.Equal(120, loss.Crops);
        return loss.CropsWithClass2;
    }

    /// <summary>Cross-entropy that also counts the batch crops holding class 2.</summary>
    sealed class CountingLoss : ISegmentationLoss
    {
        readonly CrossEntropyLoss _inner = new();
        public int Crops, CropsWithClass2;
        public string Name => "counting";
        public Tensor Compute(SegmentationOutput output, Tensor target)
        {
            for (int i = 0; i < target.shape[0]; i++) if (target[i].eq(2).any().item<bool>()) CropsWithClass2++;
            Crops += (int)target.shape[0];
            return _inner.Compute(output, target);
        }
    }

    sealed class NoValidation : IValidator
    {
        public string ScoreName => "score";
        public IReadOnlyDictionary<string, double> Validate(SegmentationModel model, TrainingData data, IProgressTask? progress) =>
            new Dictionary<string, double> { ["score"] = 0.5, [SelectionScore.EmptyPrediction] = 0 };
    }
}
