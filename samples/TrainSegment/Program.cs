// Trains sosegformer-s for a few steps on a dataset in SoSeg's layout, predicts its first test image and prints Dice.
// Usage: TrainSegment <dataset folder> <run folder> [libtorch folder, e.g. a CUDA PyTorch's torch/lib]
using SoSeg.Augmentation;
using SoSeg.Checkpoints;
using SoSeg.Data.Datasets;
using SoSeg.Inference;
using SoSeg.Monitoring;
using SoSeg.Runtime;
using SoSeg.Training;
using SoSeg.Training.Recipes;

if (args.Length > 2) TorchRuntime.UseLibtorch(args[2]); // before the first tensor
var device = TorchRuntime.Resolve(DeviceSpec.Auto);

var dataset = SegmentationDataset.Open(args[0]);
var fold = dataset.GetFold();
var items = dataset.Items(fold.Train.Concat(fold.Validation)).ToDictionary(item => item.Id);
var data = new TrainingData
{
    DatasetName = dataset.Manifest.Name, Channels = dataset.Channels, ClassNames = dataset.Labels.Names,
    TrainIds = dataset.Items(fold.Train).Select(i => i.Id).ToList(), ValidationIds = dataset.Items(fold.Validation).Select(i => i.Id).ToList(),
    LabelValues = Enumerable.Range(0, dataset.NumClasses).Select(c => (int)dataset.Labels.ValueOf(c)).ToList(), Load = id => dataset.Load(items[id]),
};
var options = new TrainingOptions { Model = "sosegformer-s", Epochs = 1, StepsPerEpoch = 4, BatchSize = 2, LearningRate = 1e-3, WarmupEpochs = 0,
                                   Augmentation = AugmentationOptions.Default with { CropSize = 32 } };
var window = options.ValidationPrediction; // windows of the training crop
PaperRecipe.Train(options, data, device, new RunFolder(args[1]), new AugmentationPipeline(options.Augmentation),
                  new MetricValidator(device, window), new SilentProgress(), Console.Out, resume: false);

var (model, _) = Checkpoint.LoadModel(new RunFolder(args[1]).LastCheckpoint, device);
var sample = dataset.Load(dataset.Items(dataset.TestCases)[0]);
var predicted = new SegmentationPredictor(model, device, window).Predict(sample).ClassMap;
long both = predicted.Zip(sample.Mask!).Count(p => p.First > 0 && p.Second > 0);
double dice = 2.0 * both / Math.Max(1, predicted.Count(p => p > 0) + sample.Mask!.Count(m => m > 0));
Console.WriteLine($"{sample.Id}: Dice {dice:F4} on {device.type} with libtorch from {NativeLibraries.LibtorchFolder()}");
