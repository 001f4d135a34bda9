using SoSeg.Onnx;
using SoSeg.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Models.PraNet;

/// <summary>
/// One PraNet reverse-attention step: the encoder feature is weighted by the reverse attention of the
/// coarser map (<see cref="ReverseAttention.Weight(TorchSharp.torch.Tensor)"/>, brought to this feature's size by the caller),
/// then 1x1 reduce (conv-BN) -> <c>middleCount</c> k x k conv-BN-ReLU -> conv-BN to K channels, and the
/// result is added to the coarser map as a residual. PraNet's stride-32 branch is 1x1 to 256, three 5x5,
/// 1x1 out; the stride-16 and stride-8 branches are 1x1 to 64, two 3x3, 3x3 out.
/// </summary>
public sealed class ReverseAttentionBranch : nn.Module<Tensor, Tensor, Tensor>, IOnnxExportable2
{
    readonly ConvBnAct reduce;
    readonly Sequential refine;
    readonly ConvBnAct head;

    public ReverseAttentionBranch(long inChannels, long width, long middleKernel, int middleCount, long outKernel, long numClasses)
        : base(nameof(ReverseAttentionBranch))
    {
        reduce = new ConvBnAct(inChannels, width, 1, activation: Activation.None);
        var middle = new List<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < middleCount; i++) middle.Add(new ConvBnAct(width, width, middleKernel));
        refine = nn.Sequential(middle);
        head = new ConvBnAct(width, numClasses, outKernel, activation: Activation.None);
        RegisterComponents();
    }

    /// <param name="feature">Encoder feature N x C x h x w.</param>
    /// <param name="coarser">The previous map, K x h x w (already resized to the feature).</param>
    /// <returns>The refined map: coarser + residual.</returns>
    public override Tensor forward(Tensor feature, Tensor coarser)
    {
        using var scope = torch.NewDisposeScope();
        var weighted = feature * ReverseAttention.Weight(coarser);
        var residualMap = head.call(refine.call(reduce.call(weighted)));
        return (residualMap + coarser).MoveToOuterDisposeScope();
    }

    public OnnxValue Export(OnnxGraph g, OnnxValue feature, OnnxValue coarser)
    {
        var weighted = feature * ReverseAttention.Weight(g, coarser);
        return head.Export(g, refine.Export(g, reduce.Export(g, weighted))) + coarser;
    }
}
