using SoSeg.Models;
using SoSeg.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models;

public sealed class ModelWeightsTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("soseg-weights-tests-").FullName;

    public ModelWeightsTests() => TorchRuntime.Initialise();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("model.safetensors", WeightFormat.Safetensors)]
    [InlineData("model.SAFETENSORS", WeightFormat.Safetensors)]
    [InlineData("model.bin", WeightFormat.TorchSharp)]
    [InlineData("model", WeightFormat.TorchSharp)]
    public void Format_follows_the_extension(string file, WeightFormat format) =>
        Assert.Equal(format, ModelWeights.FormatOf(file));

    [Fact]
    public void PyTorch_pickles_are_refused_with_the_alternatives()
    {
        var error = Assert.Throws<SoSegException>(() => ModelWeights.FormatOf("/data/model.pth"));
        Assert.Contains("/data/model.pth", error.Message);
        Assert.Contains(".safetensors", error.Message);
    }

    [Theory]
    [InlineData("w.bin")]
    [InlineData("w.safetensors")]
    public void Saving_leaves_only_the_file_and_overwrites_atomically(string file)
    {
        using var model = ModelRegistry.Create("sosegformer-s", 3, 2);
        string path = Path.Combine(_folder, file);
        ModelWeights.Save(model, path);
        ModelWeights.Save(model, path);
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Theory]
    [InlineData("w.bin")]
    [InlineData("w.safetensors")]
    public void A_class_count_mismatch_names_the_file_and_the_tensor_shapes(string file)
    {
        using var two = ModelRegistry.Create("sosegformer-s", 3, 2);
        using var three = ModelRegistry.Create("sosegformer-s", 3, 3);
        string path = Path.Combine(_folder, file);
        ModelWeights.Save(two, path);
        using var before = three.state_dict()["classifier.bias"].clone();
        var error = Assert.Throws<SoSegException>(() => ModelWeights.Load(three, path));
        Assert.Contains(path, error.Message);
        Assert.Contains("classifier.weight (file [2, 304, 1, 1], model [3, 304, 1, 1])", error.Message);
        Assert.Contains("classifier.bias", error.Message);
        // Nothing was copied: the model is unchanged.
        Assert.True(three.state_dict()["classifier.bias"].allclose(before, rtol: 0, atol: 0));
    }

    [Fact]
    public void Missing_unexpected_and_mis_shaped_keys_are_listed()
    {
        // Stage 3 with linear attention has batch norms (with running statistics) where multi-head attention has layer norms.
        using var linear = ModelRegistry.Create("sosegformer-s", 3, 2, ModelOptions.Parse(["attention=linear,linear,linear,mhsa"]));
        using var standard = ModelRegistry.Create("sosegformer-s", 3, 2);
        string linearPath = Path.Combine(_folder, "linear.safetensors"), standardPath = Path.Combine(_folder, "standard.bin");
        ModelWeights.Save(linear, linearPath);
        ModelWeights.Save(standard, standardPath);
        const string runningMean = "branches.2.former.global.blocks.0.attention_norm.running_mean";

        var unexpected = Assert.Throws<SoSegException>(() => ModelWeights.Load(standard, linearPath));
        Assert.Contains("unexpected key(s): ", unexpected.Message);
        Assert.Contains(runningMean, unexpected.Message);
        Assert.Contains("branches.2.former.global.blocks.0.attention.qkv.weight (file [65, 32, 1, 1], model [96, 32])", unexpected.Message);

        var missing = Assert.Throws<SoSegException>(() => ModelWeights.Load(linear, standardPath));
        Assert.Contains("missing key(s): ", missing.Message);
        Assert.Contains(runningMean, missing.Message);
    }

    [Theory]
    [InlineData("garbage.bin")]
    [InlineData("garbage.safetensors")]
    public void Unreadable_or_absent_files_are_user_errors_naming_the_path(string file)
    {
        using var model = ModelRegistry.Create("sosegformer-s", 3, 2);
        string path = Path.Combine(_folder, file);
        var absent = Assert.Throws<SoSegException>(() => ModelWeights.Load(model, path));
        Assert.Contains(path, absent.Message);
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var garbage = Assert.Throws<SoSegException>(() => ModelWeights.Load(model, path));
        Assert.Contains(path, garbage.Message);
        Assert.Contains("cannot read", garbage.Message);
    }

    [Fact]
    public void Loading_converts_to_the_model_dtype()
    {
        using var source = nn.Linear(3, 2);
        using var target = nn.Linear(3, 2);
        target.to(ScalarType.Float64);
        string path = Path.Combine(_folder, "linear.bin");
        ModelWeights.Save(source, path);
        ModelWeights.Load(target, path);
        Assert.Equal(ScalarType.Float64, target.weight.dtype);
        Assert.True(target.weight.to(ScalarType.Float32).allclose(source.weight, rtol: 0, atol: 0));
    }
}
