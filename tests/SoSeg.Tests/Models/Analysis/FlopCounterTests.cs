using SoSeg.Models.Analysis;
using SoSeg.Models.SoSegFormer;
using SoSeg.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Tests.Models.Analysis;

public class FlopCounterTests
{
    public FlopCounterTests() => TorchRuntime.Initialise();

    [Fact]
    public void One_convolution_costs_output_pixels_times_cout_cin_k_k()
    {
        using var conv = nn.Conv2d(3, 8, 3, padding: 1);
        using var input = zeros(1, 3, 16, 20);
        var report = FlopCounter.Measure(conv, input);
        long expected = 16 * 20 * 8 * 3 * 3 * 3;
        Assert.Equal(expected, report.Macs);
        Assert.Equal(expected, report.ProductMacs);
        Assert.Equal(2 * expected, report.Flops);
        Assert.Equal(expected, report.MacsByOperation[FlopCounter.Operations.Convolution]);
    }

    [Fact]
    public void Strided_grouped_transposed_and_linear_layers_follow_fvcore_rules()
    {
        // Depthwise 3x3 stride 2 on 4 x 8 x 8: 4 x 4 x 4 outputs, 9 MACs each.
        using var depthwise = nn.Conv2d(4, 4, 3, stride: 2, padding: 1, groups: 4);
        Assert.Equal(4 * 4 * 4 * 9, FlopCounter.Measure(depthwise, zeros(1, 4, 8, 8)).Macs);
        // Transposed 3x3 stride 2, 4 -> 2 channels on 5 x 5: every input element feeds 2 x 9 weights.
        using var transposed = nn.ConvTranspose2d(4, 2, 3, stride: 2, padding: 1, output_padding: 1);
        var t = FlopCounter.Measure(transposed, zeros(2, 4, 5, 5));
        Assert.Equal(2 * 4 * 5 * 5 * 2 * 9, t.Macs);
        Assert.Equal(t.Macs, t.MacsByOperation[FlopCounter.Operations.TransposedConvolution]);
        // Linear 10 -> 5 on 3 x 7 x 10 tokens.
        using var linear = nn.Linear(10, 5);
        Assert.Equal(3 * 7 * 5 * 10, FlopCounter.Measure(linear, zeros(3, 7, 10)).Macs);
    }

    [Fact]
    public void Norms_count_per_element_but_only_products_enter_flops()
    {
        using var net = nn.Sequential(nn.Conv2d(2, 4, 1, bias: false), nn.BatchNorm2d(4), nn.ReLU());
        net.eval();
        var report = FlopCounter.Measure(net, zeros(1, 2, 5, 5));
        long conv = 5 * 5 * 4 * 2;
        long norm = 4 * 5 * 5 * 2; // inference: scale and shift per element
        Assert.Equal(conv + norm, report.Macs);
        Assert.Equal(conv, report.ProductMacs);
        Assert.Equal(2 * conv, report.Flops);
        Assert.Equal(norm, report.MacsByOperation[FlopCounter.Operations.Normalization]);
    }

    [Fact]
    public void Attention_reports_its_matrix_products()
    {
        // d = 8, 2 heads, 10 tokens: qkv 10 x 8 x 24, projection 10 x 8 x 8, QK^T and AV 2 x 10 x 10 x 8.
        using var attention = new MultiHeadSelfAttention(8, 2);
        var report = FlopCounter.Measure(attention, zeros(1, 10, 8));
        Assert.Equal(10 * 8 * 24 + 10 * 8 * 8, report.MacsByOperation[FlopCounter.Operations.Linear]);
        Assert.Equal(2 * 10 * 10 * 8, report.MacsByOperation[FlopCounter.Operations.Attention]);
        // Linear attention on B x d x P x N = 1 x 4 x 4 x 6: qkv and projection 1x1 convs plus the d x N context sum per pixel.
        using var linearAttention = new LinearSelfAttention(4);
        var linear = FlopCounter.Measure(linearAttention, zeros(1, 4, 4, 6));
        Assert.Equal(4 * 6 * (9 * 4 + 4 * 4), linear.MacsByOperation[FlopCounter.Operations.Convolution]);
        Assert.Equal(4 * 4 * 6, linear.MacsByOperation[FlopCounter.Operations.Attention]);
    }

    sealed class BypassingNet : nn.Module<Tensor, Tensor>
    {
        readonly Conv2d hooked = nn.Conv2d(1, 1, 1);
        readonly Conv2d bypassed = nn.Conv2d(1, 1, 1);
        readonly Conv2d unused = nn.Conv2d(1, 1, 1);

        public BypassingNet() : base(nameof(BypassingNet)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            FlopCounter.Add("custom", 7);
            return bypassed.forward(hooked.call(x));
        }
    }

    [Fact]
    public void Custom_costs_are_attributed_and_layers_the_hooks_missed_are_named()
    {
        using var net = new BypassingNet();
        var report = FlopCounter.Measure(net, zeros(1, 1, 2, 2));
        Assert.Equal(4 + 7, report.Macs);
        Assert.Equal(7, report.MacsByOperation["custom"]);
        Assert.Equal(4, report.ProductMacs);
        Assert.Equal(["bypassed", "unused"], report.UnvisitedLayers.Order());
        Assert.Equal(4, report.MacsByModule["hooked"]);
        Assert.Equal(7, report.MacsByModule["(model)"]);
    }

    [Fact]
    public void Add_outside_a_counter_does_nothing_and_counters_restore_the_outer_one()
    {
        Assert.False(FlopCounter.IsCounting);
        FlopCounter.Add(FlopCounter.Operations.Attention, 100);
        using var outerNet = nn.Linear(2, 2);
        using var innerNet = nn.Linear(2, 2);
        using var outer = new FlopCounter(outerNet);
        using (var inner = new FlopCounter(innerNet))
        {
            FlopCounter.Add("x", 3);
            Assert.Equal(3, inner.Report().Macs);
        }
        FlopCounter.Add("x", 5);
        Assert.Equal(5, outer.Report().Macs);
        Assert.True(FlopCounter.IsCounting);
    }

    [Fact]
    public void Hooks_are_removed_after_counting()
    {
        using var conv = nn.Conv2d(1, 1, 1);
        var counter = new FlopCounter(conv);
        conv.call(zeros(1, 1, 2, 2));
        long counted = counter.Report().Macs;
        counter.Dispose();
        Assert.False(FlopCounter.IsCounting);
        conv.call(zeros(1, 1, 2, 2));
        Assert.Equal(4, counted);
        Assert.Equal(counted, counter.Report().Macs);
    }
}
