using SoSeg.Onnx;
using SoSeg.Models.MixedPrecision;
using static TorchSharp.torch;

namespace SoSeg.Models.Blocks;

/// <summary>
/// The reverse-attention weight of PraNet and CaraNet, generalised to K classes. The originals predict
/// one foreground logit <c>s</c> and weight features by <c>1 - sigmoid(s)</c>, steering each refinement
/// step to what the coarser map does not yet call foreground. With K-class logits the weight is
/// 1 - P(foreground) = P(background) = softmax(logits)[0]; for K = 2 this is exactly
/// <c>1 - sigmoid(l1 - l0)</c>, the original with the foreground logit <c>s = l1 - l0</c>.
/// </summary>
public static class ReverseAttention
{
    /// <summary>N x 1 x H x W weight in [0, 1] from N x K x H x W logits (class 0 = background).</summary>
    public static Tensor Weight(Tensor logits)
    {
        using var probabilities = ComputePrecision.Softmax(logits, 1);
        return probabilities[.., ..1];
    }

    /// <summary>
    /// The coarse-to-fine cascade of PraNet and CaraNet: each step refines the previous map (first the
    /// global one) resized to its features. Main output: the last map; side outputs: the global map and the
    /// earlier steps; all resized to <paramref name="height"/> x <paramref name="width"/> and moved out of the
    /// caller's dispose scope.
    /// </summary>
    public static SegmentationOutput Cascade(Tensor global, long height, long width, bool withSideOutputs,
                                             params (nn.Module<Tensor, Tensor, Tensor> Branch, Tensor Features)[] steps)
    {
        var maps = new List<Tensor>(steps.Length + 1) { global };
        foreach (var (branch, features) in steps)
            maps.Add(branch.call(features, Resample.Like(maps[^1], features)));

        var logits = Resample.To(maps[^1], height, width).MoveToOuterDisposeScope();
        if (!withSideOutputs) return new SegmentationOutput(logits);
        var sides = maps.Take(steps.Length)
            .Select(m => Resample.To(m, height, width).MoveToOuterDisposeScope())
            .ToList();
        return new SegmentationOutput(logits, sides);
    }

    /// <summary>ONNX export of <see cref="Weight(Tensor)"/>.</summary>
    public static OnnxValue Weight(OnnxGraph g, OnnxValue logits) => g.Slice(g.Softmax(logits, 1), 1, 0, 1);

    /// <summary>ONNX export of <see cref="Cascade(Tensor, long, long, bool, ValueTuple{nn.Module{Tensor, Tensor, Tensor}, Tensor}[])"/>'s main output, resized to the size of <paramref name="reference"/>.</summary>
    public static OnnxValue Cascade(OnnxGraph g, OnnxValue global, OnnxValue reference, params (IOnnxExportable2 Branch, OnnxValue Features)[] steps)
    {
        var map = global;
        foreach (var (branch, features) in steps)
            map = branch.Export(g, features, g.ResizeLike(map, features, alignCorners: false));
        return g.ResizeLike(map, reference, alignCorners: false);
    }
}
