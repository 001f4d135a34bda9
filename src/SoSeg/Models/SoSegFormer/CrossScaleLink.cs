using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// f_bt of the paper's eq. (1): brings branch b's features to stage t by (t - b) units, each a 3x3
/// stride-2 conv (BN, ReLU) then a 1x1 conv (BN, ReLU), as the authors' CSLayer; the units keep the
/// source width except the last, which maps to the target width. The result passes stochastic depth.
/// </summary>
public sealed class CrossScaleLink : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    readonly Sequential steps;
    readonly DropPath drop_path;

    /// <param name="sourceChannels">C_b.</param>
    /// <param name="targetChannels">C_t.</param>
    /// <param name="stepCount">t - b: the number of stride-2 units.</param>
    /// <param name="dropPath">Stochastic depth of this link.</param>
    /// <param name="bnEps">BatchNorm epsilon.</param>
    public CrossScaleLink(long sourceChannels, long targetChannels, int stepCount, double dropPath, double bnEps) : base(nameof(CrossScaleLink))
    {
        if (stepCount < 1) throw new ArgumentException($"A cross-scale link needs at least one stride-2 step, got {stepCount}.");
        var units = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < stepCount; i++)
        {
            long outChannels = i == stepCount - 1 ? targetChannels : sourceChannels;
            units.Add(($"down{i + 1}", nn.Sequential(
                ("conv", new ConvBnAct(sourceChannels, outChannels, 3, stride: 2, bnEps: bnEps)),
                ("pointwise", new ConvBnAct(outChannels, outChannels, 1, bnEps: bnEps)))));
        }
        steps = nn.Sequential(units);
        drop_path = new DropPath(dropPath);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var moved = steps.call(x);
        return drop_path.call(moved);
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x) => drop_path.Export(g, steps.Export(g, x));
}
