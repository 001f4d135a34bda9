using SoSeg.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Tests.Models.Blocks;

public class ModuleMapTests
{
    sealed class Holder : nn.Module<Tensor, Tensor>
    {
        readonly ModuleMap<Linear> layers = new();

        public Holder() : base(nameof(Holder))
        {
            layers.Add("first", nn.Linear(2, 3));
            layers.Add("second", nn.Linear(3, 1));
            RegisterComponents();
        }

        public ModuleMap<Linear> Layers => layers;

        public override Tensor forward(Tensor x) => layers["second"].call(layers["first"].call(x));
    }

    [Fact]
    public void Keys_name_the_state_and_the_holder_converts_dtype()
    {
        using var scope = NewDisposeScope();
        using var holder = new Holder();
        Assert.Equal(["layers.first.weight", "layers.first.bias", "layers.second.weight", "layers.second.bias"], holder.state_dict().Keys);
        holder.to(ScalarType.Float64);
        Assert.All(holder.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.Equal(ScalarType.Float64, holder.call(ones(1, 2, dtype: ScalarType.Float64)).dtype);
    }

    [Fact]
    public void Duplicate_or_missing_keys_are_errors()
    {
        using var holder = new Holder();
        Assert.Throws<ArgumentException>(() => holder.Layers.Add("first", nn.Linear(1, 1)));
        var missing = Assert.Throws<KeyNotFoundException>(() => holder.Layers["third"]);
        Assert.Contains("first, second", missing.Message);
        Assert.Equal(2, holder.Layers.Count);
    }
}
