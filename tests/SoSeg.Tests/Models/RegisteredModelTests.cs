using SoSeg.Models;
using SoSeg.Models.Analysis;
using SoSeg.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models;

/// <summary>
/// The contract every registered model must keep, checked on each one automatically (a new model
/// family is covered by registering it). Inputs are tiny; models over 50 M parameters get the fewest
/// and smallest inputs that still run every check.
/// </summary>
public class RegisteredModelTests(RegisteredModels models) : IClassFixture<RegisteredModels>
{
    [Theory]
    [MemberData(nameof(RegisteredModels.Names), MemberType = typeof(RegisteredModels))]
    public void Logits_have_the_input_size_and_class_count_for_any_size_and_channel_count(string name)
    {
        bool large = models.IsLarge(name);
        (int H, int W)[] sizes = large ? [(67, 45)] : [(64, 64), (67, 45), (17, 31)];
        foreach (var (channels, classes) in new[] { (3, 2), (1, 3) })
        {
            var model = channels == 3 && classes == 2 ? models.Get(name) : ModelRegistry.Create(name, channels, classes);
            try
            {
                model.eval();
                foreach (var (h, w) in sizes)
                {
                    using var scope = NewDisposeScope();
                    using var noGrad = no_grad();
                    int batch = large ? 1 : 2;
                    var output = model.ForwardWithSideOutputs(randn(batch, channels, h, w));
                    Assert.Equal([batch, classes, h, w], output.Logits.shape);
                    foreach (var side in output.SideOutputs) Assert.Equal([batch, classes, h, w], side.shape);
                    if (output.Edge is not null) Assert.Equal([batch, 1, h, w], output.Edge.shape);
                    Assert.Equal([batch, classes, h, w], model.call(randn(batch, channels, h, w)).shape);
                }
            }
            finally
            {
                if (!ReferenceEquals(model, models.Get(name))) model.Dispose();
            }
        }
    }

    /// <summary>
    /// Channels-last only changes where values live in memory: every model gives the default layout's logits
    /// (to float rounding: other kernels sum in another order) on an odd size, in eval mode.
    /// </summary>
    [Theory]
    [MemberData(nameof(RegisteredModels.Names), MemberType = typeof(RegisteredModels))]
    public void Channels_last_gives_the_same_logits_as_the_default_layout(string name)
    {
        var model = models.Get(name);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = randn(1, 3, 37, 45);
        var expected = model.call(input);
        model.ChannelsLast = true;
        try
        {
            var actual = model.call(input);
            double scale = Math.Max(1.0, expected.abs().max().item<float>());
            double difference = (actual - expected).abs().max().item<float>();
            Assert.True(difference <= 1e-4 * scale, $"{name}: channels-last logits differ by {difference:G3} (logit scale {scale:G3}).");
        }
        finally
        {
            model.ChannelsLast = false;
        }
    }

    [Fact]
    public void Channels_last_input_keeps_its_values_and_gets_nhwc_strides()
    {
        using var scope = NewDisposeScope();
        var input = arange(2 * 3 * 4 * 5, dtype: ScalarType.Float32).reshape(2, 3, 4, 5);
        var nhwc = SegmentationModel.ToChannelsLast(input);
        Assert.Equal([2L, 3, 4, 5], nhwc.shape);
        // N x C x H x W with C varying fastest: strides (H*W*C, 1, W*C, C).
        Assert.Equal([60L, 1, 15, 3], nhwc.stride());
        Assert.True(nhwc.eq(input).all().item<bool>());
    }

    /// <summary>
    /// A parameter is dead when backward through every output leaves it without gradient. A random
    /// initialisation can silence a tiny ReLU gate (e.g. a 4-unit channel-attention MLP) by chance, so a
    /// parameter only counts as dead when it gets no gradient in up to three differently initialised instances.
    /// </summary>
    [Theory]
    [MemberData(nameof(RegisteredModels.Names), MemberType = typeof(RegisteredModels))]
    public void Backward_through_all_outputs_reaches_every_parameter(string name)
    {
        int side = models.IsLarge(name) ? 32 : 64;
        HashSet<string>? dead = null;
        for (int attempt = 0; attempt < 3 && (dead is null || dead.Count > 0); attempt++)
        {
            // A fresh instance each time: the check changes weights (zero gates) and switches modes.
            using var model = ModelRegistry.Create(name, 3, 2);
            var silent = ParametersWithoutGradient(model, side);
            dead = dead is null ? silent : dead.Intersect(silent).ToHashSet();
        }
        Assert.True(dead!.Count == 0, $"{name}: {dead.Count} parameter(s) got no gradient: {string.Join(", ", dead)}");
    }

    [Theory]
    [MemberData(nameof(RegisteredModels.Names), MemberType = typeof(RegisteredModels))]
    public void A_training_batch_of_one_leaves_the_normalisation_statistics_and_later_predictions_finite(string name)
    {
        // One-pass epochs end with a short batch, one case when the training set is one over a multiple of the batch.
        // A BatchNorm after global pooling then sees one value per channel; libtorch would write NaN into its running
        // variance, and every later prediction would be NaN. 64 px: the deepest feature maps keep 2 x 2 pixels.
        using var model = ModelRegistry.Create(name, 3, 2);
        using var scope = NewDisposeScope();
        using var random = new Generator(5);
        model.train();
        using (no_grad()) model.call(randn([1, 3, 64, 64], generator: random));
        var broken = model.named_buffers().Where(b => b.buffer.is_floating_point() && !b.buffer.isfinite().all().item<bool>()).Select(b => b.name).ToList();
        Assert.True(broken.Count == 0, $"{name}: not finite after a training batch of one: {string.Join(", ", broken)}");
        model.eval();
        using (no_grad()) Assert.True(model.call(randn([1, 3, 64, 64], generator: random)).isfinite().all().item<bool>());
    }

    static HashSet<string> ParametersWithoutGradient(SegmentationModel model, int side)
    {
        using (no_grad())
        {
            // A gate initialised to zero (CaraNet's attention gamma) blocks its branch's gradient at the
            // first step by design; give such parameters a small value so "dead" means dead for any weights.
            foreach (var p in model.parameters().Where(p => p.abs().max().item<float>() == 0))
                p.copy_(0.01 * randn_like(p));
        }
        model.train();
        model.zero_grad();
        using (var scope = NewDisposeScope())
        {
            // Batch 4: a stochastic-depth branch is dropped for the whole batch with probability p^4.
            var output = model.ForwardWithSideOutputs(randn(4, 3, side, side));
            // A random weighting of the outputs: a plain sum would cancel through batch norm in
            // training mode (a normalised channel sums to a constant) and hide live parameters.
            var loss = (output.Logits * randn_like(output.Logits)).sum();
            foreach (var s in output.SideOutputs) loss = loss + (s * randn_like(s)).sum();
            if (output.Edge is not null) loss = loss + (output.Edge * randn_like(output.Edge)).sum();
            loss.backward();
        }
        var silent = model.named_parameters()
            .Where(p => p.parameter.requires_grad && (p.parameter.grad is null || p.parameter.grad.abs().max().item<float>() == 0))
            .Select(p => p.name).ToHashSet();
        model.zero_grad();
        model.eval();
        return silent;
    }

    [Theory]
    [MemberData(nameof(RegisteredModels.Names), MemberType = typeof(RegisteredModels))]
    public void Eval_output_is_deterministic_and_every_layer_is_seen_by_the_flop_counter(string name)
    {
        var model = models.Get(name);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = randn(1, 3, 48, 40);
        var first = model.call(input);
        FlopReport report;
        using (var counter = new FlopCounter(model))
        {
            model.ForwardWithSideOutputs(input);
            report = counter.Report();
        }
        var second = model.call(input);
        Assert.True(first.allclose(second, rtol: 0, atol: 1e-6), $"{name}: two eval-mode passes differ.");
        Assert.True(report.UnvisitedLayers.Count == 0,
            $"{name}: layers the FLOP counter never saw (invoke submodules with call(), not forward()): {string.Join(", ", report.UnvisitedLayers)}");
        Assert.True(report.ProductMacs > 0);
    }

    [Theory]
    [MemberData(nameof(RegisteredModels.Names), MemberType = typeof(RegisteredModels))]
    public void Weights_round_trip_in_both_formats_give_identical_outputs(string name)
    {
        // Its own instance: the training-mode pass below changes the batch-norm statistics.
        using var model = ModelRegistry.Create(name, 3, 2);
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            // One training-mode pass moves the batch-norm running statistics away from their initial values.
            model.train();
            model.call(randn(2, 3, 32, 32));
        }
        model.eval();
        var input = randn(1, 3, 40, 32);
        Tensor expected;
        using (no_grad()) expected = model.call(input);

        string folder = Directory.CreateTempSubdirectory("soseg-weights-").FullName;
        try
        {
            foreach (var file in new[] { "weights.bin", "weights.safetensors" })
            {
                string path = Path.Combine(folder, file);
                ModelWeights.Save(model, path);
                using var restored = ModelRegistry.Create(name, 3, 2);
                restored.eval();
                using var noGrad = no_grad();
                Assert.False(restored.call(input).allclose(expected), $"{name}: a freshly built model already matches; the test proves nothing.");
                ModelWeights.Load(restored, path);
                Assert.True(restored.call(input).allclose(expected, rtol: 0, atol: 0), $"{name}: outputs differ after a round trip through {file}.");
                File.Delete(path);
            }
            Assert.Empty(Directory.GetFiles(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Module.to(dtype) runs the same TorchSharp code as Module.to(device) (which this CPU-only machine
    /// cannot exercise), and a bfloat16 forward fails on any float32 tensor created inside forward: the
    /// model moves and stays dtype-generic, as mixed precision needs.
    /// </summary>
    [Theory]
    [MemberData(nameof(RegisteredModels.Names), MemberType = typeof(RegisteredModels))]
    public void Model_converts_to_bfloat16_and_runs_in_it(string name)
    {
        using var model = ModelRegistry.Create(name, 3, 2);
        model.to(ScalarType.BFloat16);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = model.call(randn(1, 3, 48, 40).to(ScalarType.BFloat16));
        Assert.Equal(ScalarType.BFloat16, logits.dtype);
        Assert.Equal([1, 2, 48, 40], logits.shape);
        Assert.True(logits.isfinite().all().item<bool>(), $"{name}: non-finite bfloat16 logits.");
    }

    [Theory]
    [MemberData(nameof(RegisteredModels.Names), MemberType = typeof(RegisteredModels))]
    public void Wrong_channel_count_or_rank_is_an_argument_error(string name)
    {
        var model = models.Get(name);
        using var scope = NewDisposeScope();
        var channels = Assert.Throws<ArgumentException>(() => model.call(randn(1, 1, 32, 32)));
        Assert.Contains("input channel", channels.Message);
        var rank = Assert.Throws<ArgumentException>(() => model.call(randn(3, 32, 32)));
        Assert.Contains("N x C x H x W", rank.Message);
    }
}
