using SoSeg.Models;
using SoSeg.Models.SoSegFormer;
using SoSeg.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models.SoSegFormer;

public class SoSegFormerTests
{
    public SoSegFormerTests() => TorchRuntime.Initialise();

    [Fact]
    public void Paper_scale_parameter_count_is_pinned_and_inside_the_reconstruction_range()
    {
        using var model = ModelRegistry.Create("sosegformer", 3, 2);
        long parameters = model.ParameterCount();
        // The PyTorch reference of the same reconstruction reports 177.9 M; ARCHITECTURES.md gives 175-197 M.
        // (BN + SiLU after the depthwise conv as well would add 2 x 2 x (64 + 256 + 512 + 1024) = 7,424.)
        Assert.Equal(177_875_882, parameters);
        Assert.InRange(parameters, 175_000_000, 197_000_000);
        // Parts: ResNet-50 without its classifier is 23.5 M; ASPP with 512 channels on 2048 is 31.7 M.
        var parts = SoSeg.Models.Analysis.ModelAnalysis.ParametersByPart(model).ToDictionary(p => p.Part, p => p.Parameters);
        Assert.Equal(23_508_032, parts["encoder"]);
        Assert.Equal(31_725_568, parts["aspp"]);
        Assert.Equal(13_822_720, parts["cross_scale"]);
        Assert.Equal(2368 * 2 + 2, parts["classifier"]);
    }

    [Fact]
    public void Small_variant_has_a_few_million_parameters()
    {
        using var model = ModelRegistry.Create("sosegformer-s", 3, 2);
        Assert.Equal(2_609_530, model.ParameterCount());
        using var grey = ModelRegistry.Create("sosegformer-s", 1, 3);
        // One input channel: the 7x7 stem loses 2 x 16 x 49 weights; one more class adds 240 + 1 head weights.
        Assert.Equal(2_609_530 - 2 * 16 * 49 + (16 + 32 + 64 + 128 + 64) + 1, grey.ParameterCount());
        // The earlier local path normalises after the depthwise conv too: one BN (2 x C) per StageFormer more,
        // C = 16, 32, 64, 128 in the branches and again in the decoder.
        using var normEach = ModelRegistry.Create("sosegformer-s", 3, 2, ModelOptions.Parse(["local-conv=depthwise-bn-each"]));
        Assert.Equal(2_609_530 + 2 * 2 * (16 + 32 + 64 + 128), normEach.ParameterCount());
    }

    [Fact]
    public void Options_change_the_network_and_bad_ones_name_the_key()
    {
        long baseline = Count(ModelOptions.Empty);
        // The authors' full 3x3 local conv has more weights than the paper's depthwise-separable one.
        Assert.True(Count(ModelOptions.Parse(["local-conv=full"])) > baseline);
        // Multi-head attention (qkv + projection, 4 d^2) replaces linear attention's (1 + 2d) d + d^2 convs at stage 3.
        Assert.NotEqual(baseline, Count(ModelOptions.Parse(["attention=linear,linear,linear,mhsa"])));
        Assert.True(Count(ModelOptions.Parse(["aspp-channels=32"])) < baseline);
        Assert.True(Count(ModelOptions.Parse(["transformer-blocks=1"])) < baseline);
        // Cascade and parallel cross-scale instruction have the same weights.
        Assert.Equal(baseline, Count(ModelOptions.Parse(["cross-scale=cascade"])));

        var heads = Assert.Throws<ArgumentException>(() => Count(ModelOptions.Parse(["heads=1,1,3,4"])));
        Assert.Contains("heads", heads.Message);
        var attention = Assert.Throws<ArgumentException>(() => Count(ModelOptions.Parse(["attention=linear,full,mhsa,mhsa"])));
        Assert.Contains("attention", attention.Message);
        var widths = Assert.Throws<ArgumentException>(() => Count(ModelOptions.Parse(["widths=8,16,32"])));
        Assert.Contains("widths", widths.Message);
        var unknown = Assert.Throws<ArgumentException>(() => Count(ModelOptions.Parse(["head=4"])));
        Assert.Contains("head", unknown.Message);

        static long Count(ModelOptions options)
        {
            using var model = ModelRegistry.Create("sosegformer-s", 3, 2, options);
            return model.ParameterCount();
        }
    }

    [Fact]
    public void Size_divisor_is_the_encoder_stride_or_what_the_patches_need()
    {
        Assert.Equal(32, new SoSegFormerOptions().SizeDivisor);
        Assert.Equal(32, new SoSegFormerOptions { PatchSize = 1 }.SizeDivisor);
        Assert.Equal(96, new SoSegFormerOptions { PatchSize = 3 }.SizeDivisor);
        Assert.Equal(64, new SoSegFormerOptions { PatchSize = 4 }.SizeDivisor);
        using var model = ModelRegistry.Create("sosegformer-s", 3, 2, ModelOptions.Parse(["patch-size=4"]));
        Assert.Equal(64, model.SizeDivisor);
        model.eval();
        using var noGrad = no_grad();
        Assert.Equal([1, 2, 70, 33], model.call(randn(1, 3, 70, 33)).shape);
    }

    [Fact]
    public void Every_option_is_described_with_the_variant_default()
    {
        var paper = ModelRegistry.Get("sosegformer").OptionList.ToDictionary(o => o.Key, o => o.Default);
        var small = ModelRegistry.Get("sosegformer-s").OptionList.ToDictionary(o => o.Key, o => o.Default);
        Assert.Equal("linear,linear,mhsa,mhsa", paper["attention"]);
        Assert.Equal("64,128,256,512", paper["widths"]);
        Assert.Equal("3,4,6,3", paper["depths"]);
        Assert.Equal("512", paper["aspp-channels"]);
        Assert.Equal("0.001", paper["bn-eps"]);
        Assert.Equal("8,16,32,64", small["widths"]);
        Assert.Equal(paper.Keys.Order(), small.Keys.Order());
        // Each described key is read: giving it explicitly with its default changes nothing.
        var explicitDefaults = ModelOptions.Parse(small.Select(kv => $"{kv.Key}={kv.Value}"));
        using var model = ModelRegistry.Create("sosegformer-s", 3, 2, explicitDefaults);
        Assert.Equal(2_609_530, model.ParameterCount());
    }

    [Fact]
    public void Unfold_matches_torch_unfold_order_and_fold_inverts_it()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 3, 6, 8);
        var patches = StageFormer.Unfold(x, 2);
        Assert.Equal([2, 3, 4, 12], patches.shape);
        // F.unfold gives B x (C * p * p) x N with channel-major rows: the authors' reshape to B x C x P x N.
        var reference = nn.functional.unfold(x, 2, stride: 2).reshape(2, 3, 4, 12);
        Assert.True(patches.allclose(reference, rtol: 0, atol: 0));
        Assert.True(StageFormer.Fold(patches, 6, 8, 2).allclose(x, rtol: 0, atol: 0));
    }

    [Fact]
    public void Blocks_keep_or_double_the_resolution_as_the_paper_says()
    {
        using var scope = NewDisposeScope();
        var config = SoSegFormerModels.Small.FormerConfig(0);
        using var linearFormer = new StageFormer(16, config);
        using var headsFormer = new StageFormer(16, config with { Attention = AttentionKind.MultiHead, Heads = 2 });
        var x = randn(2, 16, 8, 12);
        Assert.Equal(x.shape, linearFormer.call(x).shape);
        Assert.Equal(x.shape, headsFormer.call(x).shape);
        Assert.Throws<ArgumentException>(() => linearFormer.call(randn(1, 16, 7, 12)));

        using var up = new UpLink(32, 8, 1e-3);
        Assert.Equal([2, 8, 10, 14], up.call(randn(2, 32, 5, 7)).shape);
        using var bottleneck = new BottleneckSE(16, 2, 0.25, 8, 1e-3);
        Assert.Equal(x.shape, bottleneck.call(x).shape);
        using var link = new CrossScaleLink(4, 12, 2, 0, 1e-3);
        Assert.Equal([2, 12, 2, 3], link.call(randn(2, 4, 8, 12)).shape);
    }

    [Fact]
    public void Cross_scale_instruction_adds_earlier_branches_in_parallel_or_in_cascade()
    {
        using var scope = NewDisposeScope();
        long[] channels = [4, 6, 8];
        using var parallel = new CrossScaleInstruction(channels, CrossScaleMode.Parallel, 0, 1e-3);
        using var cascade = new CrossScaleInstruction(channels, CrossScaleMode.Cascade, 0, 1e-3);
        cascade.load_state_dict(parallel.state_dict());
        parallel.eval();
        cascade.eval();
        Tensor[] branches = [randn(2, 4, 16, 16), randn(2, 6, 8, 8), randn(2, 8, 4, 4)];
        using var noGrad = no_grad();
        var p = parallel.call(branches);
        var c = cascade.call(branches);
        for (int t = 0; t < 3; t++) Assert.Equal(branches[t].shape, p[t].shape);
        // R'_1 = R_1; R'_2 = R_2 + f12(R_1) in both modes; R'_3 differs: f23 reads R_2 (eq. 1) or R'_2 (cascade).
        Assert.True(p[0].allclose(branches[0], rtol: 0, atol: 0));
        Assert.True(p[1].allclose(c[1]));
        Assert.False(p[1].allclose(branches[1]));
        Assert.False(p[2].allclose(c[2]));
        // R_t enters R'_t as it is (the identity term of eq. 1): shifting R_3 shifts R'_3 by the same amount.
        var shifted = parallel.call([branches[0], branches[1], branches[2] + 1]);
        Assert.True(shifted[2].allclose(p[2] + 1, atol: 1e-5));
        Assert.Equal(["1to2", "1to3", "2to3"], parallel.named_children().Select(ch => ch.name).Order());
    }
}
