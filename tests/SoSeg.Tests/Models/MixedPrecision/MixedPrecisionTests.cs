using SoSeg.Models.MixedPrecision;
using SoSeg.Models;
using SoSeg.Models.SoSegFormer;
using SoSeg.Runtime;
using SoSeg.Tests.TestData;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models.MixedPrecision;

/// <summary>The bf16 policy of each layer and block type, and of every registered model as a whole.</summary>
/// <remarks>Sequential: a layer and its TorchSharp counterpart are compared after seeding the global generator.</remarks>
[Collection(SequentialCollection.Name)]
public class MixedPrecisionTests
{
    static T Seeded<T>(Func<T> make)
    {
        torch.manual_seed(7);
        return make();
    }

    public static IEnumerable<object[]> Layers =>
    [
        ["conv", (Func<nn.Module<Tensor, Tensor>>)(() => nn.Conv2d(4, 6, 3, padding: 1)), (Func<nn.Module<Tensor, Tensor>>)(() => PrecisionLayers.Conv2d(4, 6, 3, padding: 1)), new long[] { 2, 4, 9, 9 }],
        ["conv-strided-grouped", (Func<nn.Module<Tensor, Tensor>>)(() => nn.Conv2d(4, 6, 3, stride: 2, padding: 2, dilation: 2, groups: 2, bias: false)),
            (Func<nn.Module<Tensor, Tensor>>)(() => PrecisionLayers.Conv2d(4, 6, 3, stride: 2, padding: 2, dilation: 2, groups: 2, bias: false)), new long[] { 2, 4, 9, 9 }],
        ["conv-rectangular", (Func<nn.Module<Tensor, Tensor>>)(() => nn.Conv2d(4, 6, (1, 3), stride: (1, 1), padding: (0, 1), dilation: (1, 1))),
            (Func<nn.Module<Tensor, Tensor>>)(() => PrecisionLayers.Conv2d(4, 6, (1, 3), stride: (1, 1), padding: (0, 1), dilation: (1, 1))), new long[] { 2, 4, 9, 9 }],
        ["conv-transpose", (Func<nn.Module<Tensor, Tensor>>)(() => nn.ConvTranspose2d(4, 6, 3, stride: 2, padding: 1, output_padding: 1)),
            (Func<nn.Module<Tensor, Tensor>>)(() => PrecisionLayers.ConvTranspose2d(4, 6, 3, stride: 2, padding: 1, output_padding: 1)), new long[] { 2, 4, 5, 5 }],
        ["linear", (Func<nn.Module<Tensor, Tensor>>)(() => nn.Linear(4, 6)), (Func<nn.Module<Tensor, Tensor>>)(() => PrecisionLayers.Linear(4, 6)), new long[] { 3, 7, 4 }],
    ];

    [Theory]
    [MemberData(nameof(Layers))]
    public void A_precision_layer_is_torchsharps_layer_in_float32_and_computes_in_bfloat16_under_the_policy(
        string kind, Func<nn.Module<Tensor, Tensor>> torchSharpLayer, Func<nn.Module<Tensor, Tensor>> precisionLayer, long[] inputShape)
    {
        using var reference = Seeded(torchSharpLayer);
        using var layer = Seeded(precisionLayer);
        // Same random draws, same names: seeds and checkpoints do not change.
        Assert.Equal(reference.named_parameters().Select(p => p.name), layer.named_parameters().Select(p => p.name));
        foreach (var ((_, a), (_, b)) in reference.named_parameters().Zip(layer.named_parameters()))
            Assert.True(a.equal(b).all().item<bool>(), kind);

        using var input = randn(inputShape);
        using var expected = reference.call(input);
        using var full = layer.call(input);
        Assert.True(full.equal(expected).all().item<bool>(), $"{kind}: float32 path differs from TorchSharp's layer");

        Tensor reduced;
        using (ComputePrecision.Enter(Precision.Bf16)) reduced = layer.call(input);
        Assert.Equal(ScalarType.BFloat16, reduced.dtype);
        Assert.True(reduced.to(ScalarType.Float32).allclose(expected, rtol: 0.05, atol: 0.05), $"{kind}: bfloat16 result far from float32");
        reduced.to(ScalarType.Float32).square().sum().backward();
        // Master weights and their gradients stay float32.
        Assert.All(layer.parameters(), p =>
        {
            Assert.Equal(ScalarType.Float32, p.dtype);
            Assert.Equal(ScalarType.Float32, p.grad!.dtype);
            Assert.True(p.grad.abs().sum().item<float>() > 0);
        });
        reduced.Dispose();
    }

    [Fact]
    public void Norms_take_bfloat16_and_keep_float32_parameters_and_statistics()
    {
        using var batchNorm = nn.BatchNorm2d(4);
        using var layerNorm = nn.LayerNorm(4);
        using var image = (3 * randn(2, 4, 5, 5) + 1).to(ScalarType.BFloat16).requires_grad_();
        using var tokens = randn(2, 6, 4).to(ScalarType.BFloat16).requires_grad_();
        using (ComputePrecision.Enter(Precision.Bf16))
        {
            var normalised = batchNorm.call(image);
            var normalisedTokens = layerNorm.call(tokens);
            Assert.Equal(ScalarType.BFloat16, normalised.dtype);
            Assert.Equal(ScalarType.BFloat16, normalisedTokens.dtype);
            (normalised.to(ScalarType.Float32).sum() + normalisedTokens.to(ScalarType.Float32).square().sum()).backward();
        }
        // Running statistics were updated in float32 from the batch's own mean (about 1).
        Assert.Equal(ScalarType.Float32, batchNorm.running_mean!.dtype);
        Assert.InRange(batchNorm.running_mean.mean().item<float>(), 0.05, 0.15);
        Assert.All(batchNorm.parameters().Concat(layerNorm.parameters()), p => Assert.Equal(ScalarType.Float32, p.grad!.dtype));
    }

    [Fact]
    public void Softmax_is_float32_under_the_policy_and_leaves_other_types_alone()
    {
        using var logits = randn(2, 5).to(ScalarType.BFloat16);
        using (ComputePrecision.Enter(Precision.Bf16))
        {
            using var probabilities = ComputePrecision.Softmax(logits, 1);
            Assert.Equal(ScalarType.Float32, probabilities.dtype);
            Assert.True(probabilities.sum(1).allclose(ones(2), atol: 1e-6));
        }
        using var outside = ComputePrecision.Softmax(logits, 1);
        Assert.Equal(ScalarType.BFloat16, outside.dtype);
        using (ComputePrecision.Enter(Precision.Fp32))
        {
            using var full = ComputePrecision.Softmax(randn(2, 5), 1);
            Assert.Equal(ScalarType.Float32, full.dtype);
        }
        Assert.Null(ComputePrecision.ReducedType);
    }

    [Fact]
    public void Attention_blocks_run_in_bfloat16()
    {
        using var selfAttention = Seeded(() => new MultiHeadSelfAttention(16, 2));
        using var linearAttention = Seeded(() => new LinearSelfAttention(16));
        using var tokens = randn(2, 10, 16);
        using var map = randn(2, 16, 4, 4);
        using (ComputePrecision.Enter(Precision.Bf16))
        {
            using var attended = selfAttention.call(tokens);
            using var linear = linearAttention.call(map);
            Assert.Equal(ScalarType.BFloat16, attended.dtype);
            Assert.Equal(ScalarType.BFloat16, linear.dtype);
            using var fullAttended = WithoutPolicy(selfAttention, tokens);
            Assert.True(attended.to(ScalarType.Float32).allclose(fullAttended, rtol: 0.05, atol: 0.05));
        }
    }

    static Tensor WithoutPolicy(nn.Module<Tensor, Tensor> module, Tensor input)
    {
        using (ComputePrecision.Enter(Precision.Fp32)) return module.call(input);
    }

    /// <summary>Every registered model in bf16: each convolution and linear layer computes in bfloat16, logits come back float32, weights and gradients stay float32.</summary>
    [Theory]
    [MemberData(nameof(RegisteredModels.Names), MemberType = typeof(RegisteredModels))]
    public void A_bf16_model_computes_its_layers_in_bfloat16_and_returns_float32_logits(string name)
    {
        using var model = ModelRegistry.Create(name, 3, 2);
        model.Precision = Precision.Bf16;
        model.train();
        var layerOutputs = new List<ScalarType>();
        var hooks = model.modules().OfType<PrecisionLayer>()
            .Select(layer => layer.register_forward_hook((_, _, output) => { layerOutputs.Add(output.dtype); return null!; })).ToList();
        Assert.NotEmpty(hooks);
        // Plain TorchSharp convolution or linear layers would compute in float32 and break the policy.
        Assert.Empty(model.modules().Where(m => m is Convolution or Linear));
        using (var scope = NewDisposeScope())
        {
            var logits = model.call(randn(2, 3, 32, 32));
            Assert.Equal(ScalarType.Float32, logits.dtype);
            Assert.True(logits.isfinite().all().item<bool>());
            logits.square().mean().backward();
        }
        Assert.All(layerOutputs, t => Assert.Equal(ScalarType.BFloat16, t));
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.All(model.parameters().Where(p => p.grad is not null), p => Assert.Equal(ScalarType.Float32, p.grad!.dtype));
        Assert.Null(ComputePrecision.ReducedType);
        foreach (var hook in hooks) hook.remove();
    }
}
