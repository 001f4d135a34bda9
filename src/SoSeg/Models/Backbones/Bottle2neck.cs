using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.Backbones;

/// <summary>
/// Res2Net bottleneck (Gao et al., TPAMI 2021; v1b variant): 1x1 to <c>width * scale</c> channels, split
/// into <c>scale</c> groups; groups 1..scale-1 pass through 3x3 convs hierarchically (each group adds the
/// previous group's output before its 3x3), the last group is kept as is; concat -> 1x1 expand (x4) + shortcut.
/// In the first block of a stage (<c>stage</c> = true) the groups are not chained, the 3x3s carry the
/// stride and the kept group is average-pooled (3x3, same stride) so that all groups match.
/// The v1b shortcut projection average-pools before its 1x1 conv instead of striding it.
/// </summary>
public sealed class Bottle2neck : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    /// <summary>Output channels = planes * 4.</summary>
    public const int Expansion = 4;

    readonly ConvBnAct reduce;
    readonly ModuleList<ConvBnAct> splitConvs;
    readonly ConvBnAct expand;
    readonly ConvBnAct? shortcut;
    readonly long _width;
    readonly int _scale;
    readonly long _stride;
    readonly bool _stage;

    /// <param name="inChannels">Input channels.</param>
    /// <param name="planes">Stage width before expansion (64, 128, 256, 512 in Res2Net-50).</param>
    /// <param name="stride">Stride of the block (only the first block of a stage strides).</param>
    /// <param name="stage">True for the first block of a stage (the official <c>stype='stage'</c>).</param>
    /// <param name="baseWidth">Width of one group at planes = 64 (26 in the 26w_4s models).</param>
    /// <param name="scale">Number of groups (4 in the 26w_4s models).</param>
    public Bottle2neck(long inChannels, long planes, long stride = 1, bool stage = false, int baseWidth = 26, int scale = 4)
        : base(nameof(Bottle2neck))
    {
        if (scale < 2) throw new ArgumentOutOfRangeException(nameof(scale), "Res2Net needs at least 2 scales.");
        if (stride != 1 && !stage) throw new ArgumentException("Only the first block of a stage may stride.", nameof(stride));
        _width = (long)Math.Floor(planes * (baseWidth / 64.0));
        _scale = scale;
        _stride = stride;
        _stage = stage;
        long outChannels = planes * Expansion;

        reduce = new ConvBnAct(inChannels, _width * scale, 1);
        var convs = new ConvBnAct[scale - 1];
        for (int i = 0; i < convs.Length; i++) convs[i] = new ConvBnAct(_width, _width, 3, stride);
        splitConvs = nn.ModuleList(convs);
        expand = new ConvBnAct(_width * scale, outChannels, 1, activation: Activation.None);
        if (stride != 1 || inChannels != outChannels)
            shortcut = new ConvBnAct(inChannels, outChannels, 1, activation: Activation.None);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var reduced = reduce.call(x);
        var groups = reduced.split(_width, 1);
        var outputs = new Tensor[_scale];
        try
        {
            Tensor? previous = null;
            for (int i = 0; i < _scale - 1; i++)
            {
                if (previous is null || _stage)
                {
                    outputs[i] = splitConvs[i].call(groups[i]);
                }
                else
                {
                    using var chained = previous + groups[i];
                    outputs[i] = splitConvs[i].call(chained);
                }
                previous = outputs[i];
            }
            // The last group skips the 3x3; in a stage's first block it is pooled to the new resolution.
            outputs[_scale - 1] = _stage
                ? nn.functional.avg_pool2d(groups[_scale - 1], 3, stride: _stride, padding: 1)
                : groups[_scale - 1].alias();

            using var concatenated = torch.cat(outputs, 1);
            using var y = expand.call(concatenated);
            using var identity = shortcut is null ? x.alias() : Shortcut(x);
            return nn.functional.relu(y + identity);
        }
        finally
        {
            foreach (var t in outputs) t?.Dispose();
            foreach (var g in groups) g.Dispose();
        }
    }

    Tensor Shortcut(Tensor x)
    {
        if (_stride == 1) return shortcut!.call(x);
        // v1b: average-pool (ceil mode, padding not counted) then a 1x1 projection, instead of a strided 1x1.
        using var pooled = nn.functional.avg_pool2d(x, _stride, stride: _stride, ceil_mode: true, count_include_pad: false);
        return shortcut!.call(pooled);
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue x)
    {
        var groups = g.Split(reduce.Export(g, x), 1, Enumerable.Repeat(_width, _scale).ToArray());
        var outputs = new OnnxValue[_scale];
        OnnxValue? previous = null;
        for (int i = 0; i < _scale - 1; i++)
        {
            outputs[i] = splitConvs[i].Export(g, previous is null || _stage ? groups[i] : previous + groups[i]);
            previous = outputs[i];
        }
        outputs[_scale - 1] = _stage ? g.AveragePool(groups[_scale - 1], 3, _stride, padding: 1) : groups[_scale - 1];
        var y = expand.Export(g, g.Concat(1, outputs));
        var identity = shortcut is null ? x
            : _stride == 1 ? shortcut.Export(g, x)
            : shortcut.Export(g, g.AveragePool(x, _stride, _stride, ceilMode: true, countIncludePad: false));
        return g.Relu(y + identity);
    }
}
