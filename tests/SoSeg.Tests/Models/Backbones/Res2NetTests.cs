using SoSeg.Tests.TestData;
using SoSeg.Models.Backbones;
using SoSeg.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Tests.Models.Backbones;

public class Res2NetTests
{
    [Fact]
    public void Stages_have_the_documented_channels_and_strides()
    {
        using var random = new Generator(1);
        using var scope = NewDisposeScope();
        using var encoder = Seeded.Build(1, () => Res2Net.V1b50(inChannels: 3));
        encoder.eval();
        using var features = encoder.call(randn([1, 3, 64, 64], generator: random));
        Tensor[] maps = [features.Stem, features.X1, features.X2, features.X3, features.X4];
        for (int i = 0; i < maps.Length; i++)
        {
            Assert.Equal(Res2Net.Channels[i], maps[i].shape[1]);
            Assert.Equal(64 / Res2Net.Strides[i], maps[i].shape[2]);
            Assert.Equal(64 / Res2Net.Strides[i], maps[i].shape[3]);
        }
        Assert.Equal([64L, 256, 512, 1024, 2048], Res2Net.Channels);
        Assert.Equal([4, 4, 8, 16, 32], Res2Net.Strides);
    }

    [Fact]
    public void Parameter_counts_are_the_official_encoders_without_the_classifier()
    {
        // Res2Net-50 v1b 26w_4s has 25.72 M parameters with its 2048 x 1000 fc (2,049,000), Res2Net-101 v1b 45.23 M.
        using var r50 = Res2Net.V1b50(3);
        using var r101 = Res2Net.V1b101(3);
        long count50 = r50.parameters().Sum(p => p.numel());
        long count101 = r101.parameters().Sum(p => p.numel());
        Assert.Equal(23_669_352, count50);
        Assert.Equal(43_176_920, count101);
        Assert.InRange(count50 + 2_049_000, 25.70e6, 25.74e6);
        Assert.InRange(count101 + 2_049_000, 45.20e6, 45.25e6);
    }

    [Fact]
    public void First_block_of_a_stage_strides_and_pools_the_kept_group()
    {
        using var scope = NewDisposeScope();
        using var block = new Bottle2neck(256, 128, stride: 2, stage: true);
        block.eval();
        var y = block.call(randn(2, 256, 16, 12));
        Assert.Equal([2L, 512, 8, 6], y.shape);
        Assert.Throws<ArgumentException>(() => new Bottle2neck(256, 128, stride: 2, stage: false));
    }

    [Fact]
    public void Unknown_backbone_names_are_rejected_with_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => Res2Net.FromName("resnet50", 3, "pranet"));
        Assert.Contains("res2net50", error.Message);
        Assert.Contains("pranet", error.Message);
    }
}
