using SoSeg.Models;
using SoSeg.Losses;
using SoSeg.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Training.Optimization;

public class FlatAdamWTests
{
    const double Lr = 3e-3, Beta1 = 0.9, Beta2 = 0.999, WeightDecay = 0.03;

    // Weights copied from one model built once, not re-seeded per copy: other tests draw from the global generator in parallel.
    static readonly Dictionary<string, Tensor> InitialWeights = BuildInitialWeights();

    static Dictionary<string, Tensor> BuildInitialWeights()
    {
        using var model = NewUNet();
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
    }

    static SegmentationModel NewUNet() => ModelRegistry.Create("unet", 1, 2, ModelOptions.Parse(["base-width=4"]));

    static SegmentationModel SmallUNet()
    {
        var model = NewUNet();
        model.load_state_dict(InitialWeights);
        return model;
    }

    /// <summary>Trains <paramref name="model"/> for <paramref name="steps"/> steps on seeded random batches (the same batches for the same <paramref name="dataSeed"/>).</summary>
    static void Train(SegmentationModel model, ITrainingOptimizer optimizer, int steps, int dataSeed, double lr = Lr)
    {
        using var generator = new Generator((ulong)dataSeed);
        var loss = new CrossEntropyLoss();
        model.train();
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var input = randn([2, 1, 32, 32], generator: generator);
            var target = (input[.., 0] > 0.3f).to(ScalarType.Int64);
            optimizer.LearningRate = lr * (1 - step / (2.0 * steps));
            optimizer.ZeroGrad();
            loss.Compute(new SegmentationOutput(model.call(input)), target).backward();
            optimizer.Step();
        }
    }

    static double MaxRelativeDifference(nn.Module a, nn.Module b)
    {
        var other = b.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        double worst = 0;
        foreach (var (name, x) in a.named_parameters())
        {
            double scale = Math.Max(1e-3, x.abs().max().item<float>());
            worst = Math.Max(worst, (x - other[name]).abs().max().item<float>() / scale);
        }
        return worst;
    }

    [Fact]
    public void Two_hundred_steps_match_torchsharps_per_tensor_adamw_within_float_rounding()
    {
        using var reference = SmallUNet();
        using var flat = SmallUNet();
        Assert.Equal(0, MaxRelativeDifference(reference, flat));
        using var perTensor = new PerTensorAdamW(reference.parameters(), Lr, Beta1, Beta2, WeightDecay);
        using var oneBuffer = new FlatAdamW(flat.parameters(), Lr, Beta1, Beta2, WeightDecay);

        Train(reference, perTensor, 200, dataSeed: 1);
        Train(flat, oneBuffer, 200, dataSeed: 1);

        Assert.Equal(1, oneBuffer.BufferCount);
        // The weights moved far from where they started, and both runs agree to float rounding (on CPU they are bit-identical).
        using var initial = SmallUNet();
        Assert.True(MaxRelativeDifference(initial, reference) > 0.1);
        double difference = MaxRelativeDifference(reference, flat);
        Assert.True(difference < 1e-4, $"max relative difference {difference:E2}");
        var a = perTensor.State.state_dict().State.Cast<TorchSharp.Modules.AdamW.State>().ToArray();
        var b = oneBuffer.State.state_dict().State.Cast<TorchSharp.Modules.AdamW.State>().ToArray();
        Assert.All(a.Zip(b), pair =>
        {
            Assert.Equal(200, pair.First.step);
            Assert.Equal(pair.First.step, pair.Second.step);
            Assert.True(pair.First.exp_avg_sq.allclose(pair.Second.exp_avg_sq, rtol: 1e-3, atol: 1e-12));
        });
    }

    [Fact]
    public void Backward_accumulates_into_the_buffer_views()
    {
        using var model = SmallUNet();
        using var optimizer = new FlatAdamW(model.parameters(), Lr, Beta1, Beta2, WeightDecay);
        Train(model, optimizer, 1, dataSeed: 2);
        using var input = randn([2, 1, 32, 32]);
        using var target = zeros([2, 32, 32], dtype: ScalarType.Int64);
        optimizer.ZeroGrad();
        new CrossEntropyLoss().Compute(new SegmentationOutput(model.call(input)), target).backward();
        var weight = model.parameters().First(); // the model owns it: not disposed here
        using var grad = weight.grad!;
        double norm = grad.norm().item<float>();
        Assert.True(norm > 0);
        // Zeroing the optimizer's buffer must zero what backward wrote: the gradient is a view of it.
        optimizer.ZeroGrad();
        Assert.Equal(0, grad.abs().max().item<float>());
    }

    [Fact]
    public void A_parameter_no_loss_reaches_is_neither_decayed_nor_counted_as_with_torchsharps_adamw()
    {
        using var reference = new TwoHeads();
        using var flat = new TwoHeads();
        flat.load_state_dict(reference.state_dict());
        using var perTensor = new PerTensorAdamW(reference.parameters(), Lr, Beta1, Beta2, WeightDecay);
        using var oneBuffer = new FlatAdamW(flat.parameters(), Lr, Beta1, Beta2, WeightDecay);
        using var before = reference.unused.weight!.clone();
        foreach (var (model, optimizer) in new (TwoHeads, ITrainingOptimizer)[] { (reference, perTensor), (flat, oneBuffer) })
            for (int step = 0; step < 5; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.ZeroGrad();
                model.call(ones(3, 4)).square().sum().backward();
                optimizer.Step();
            }
        Assert.True(flat.unused.weight!.equal(before).all().item<bool>());
        Assert.True(reference.unused.weight!.equal(before).all().item<bool>());
        Assert.True(flat.used.weight!.allclose(reference.used.weight!, rtol: 1e-5, atol: 1e-7));
        var steps = oneBuffer.State.state_dict().State.Cast<TorchSharp.Modules.AdamW.State>().Select(s => s.step);
        Assert.Equal([5, 5, 0, 0], steps);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Saved_state_resumes_in_the_other_implementation(bool flatFirst)
    {
        // Straight: 12 steps with one implementation. Split: 6 steps, save weights + optimizer state, load into the other, 6 more.
        using var straight = SmallUNet();
        using (var optimizer = Make(flatFirst, straight)) { Train(straight, optimizer, 6, dataSeed: 3); Train(straight, optimizer, 6, dataSeed: 4); }

        using var first = SmallUNet();
        var weights = new MemoryStream();
        var state = new MemoryStream();
        using (var optimizer = Make(flatFirst, first))
        {
            Train(first, optimizer, 6, dataSeed: 3);
            first.save(new BinaryWriter(weights));
            optimizer.State.save_state_dict(new BinaryWriter(state));
        }
        using var second = SmallUNet();
        weights.Position = 0;
        state.Position = 0;
        second.load(new BinaryReader(weights));
        using (var optimizer = Make(!flatFirst, second))
        {
            optimizer.State.load_state_dict(new BinaryReader(state));
            Train(second, optimizer, 6, dataSeed: 4);
        }
        double difference = MaxRelativeDifference(straight, second);
        Assert.True(difference < 1e-5, $"max relative difference {difference:E2}");
    }

    static ITrainingOptimizer Make(bool flat, nn.Module model) =>
        TrainingOptimizers.AdamW(flat ? TrainingOptimizers.FlatAdamW : TrainingOptimizers.PerTensorAdamW, model.parameters(), Lr, Beta1, Beta2, WeightDecay);

    sealed class TwoHeads : nn.Module<Tensor, Tensor>
    {
        public readonly TorchSharp.Modules.Linear used = nn.Linear(4, 2);
        public readonly TorchSharp.Modules.Linear unused = nn.Linear(4, 2);

        public TwoHeads() : base(nameof(TwoHeads)) => RegisterComponents();

        public override Tensor forward(Tensor input) => used.call(input);
    }
}
