using SoSeg.Onnx;
using SoSeg.Models.MixedPrecision;
using SoSeg.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.Models;

/// <summary>
/// Base of every network. Checks the input with an actionable error, pads H and W up to a multiple of
/// <see cref="SizeDivisor"/> and crops every output back, so callers may pass any size.
/// <c>forward</c> returns logits N x K x H x W; <see cref="ForwardWithSideOutputs"/> also returns
/// side outputs for models trained with their own loss.
/// </summary>
public abstract class SegmentationModel : nn.Module<Tensor, Tensor>
{
    protected SegmentationModel(string name, ModelConfig config) : base(name)
    {
        if (config.InChannels < 1) throw new ArgumentException($"{name}: input channels must be at least 1, got {config.InChannels}.");
        if (config.NumClasses < 2) throw new ArgumentException($"{name}: a segmentation model needs at least 2 classes (background + one), got {config.NumClasses}.");
        InChannels = config.InChannels;
        NumClasses = config.NumClasses;
    }

    /// <summary>Image channels the model takes.</summary>
    public int InChannels { get; }

    /// <summary>Classes K, background included; logits have K channels.</summary>
    public int NumClasses { get; }

    /// <summary>
    /// Arithmetic of the forward (see <see cref="ComputePrecision"/>): with bf16, convolutions, linear layers and
    /// attention run in bfloat16; weights stay float32 and the outputs come back as float32.
    /// </summary>
    public Precision Precision { get; set; } = Precision.Tf32;

    /// <summary>
    /// Runs the network on channels-last (N x H x W x C in memory) activations. TorchSharp cannot convert a tensor's
    /// memory format, so the input is given NHWC strides by a permute-copy-permute; libtorch's convolutions follow the
    /// input's layout and keep it, so the whole convolutional path runs channels-last (cuDNN's and oneDNN's faster
    /// kernels) while shapes, results and weights stay as they are.
    /// </summary>
    public bool ChannelsLast { get; set; }

    /// <summary>H and W are padded to a multiple of this before the network runs (its total stride).</summary>
    public virtual int SizeDivisor => 32;

    /// <summary>Logits N x K x H x W for an input N x C x H x W of any H, W.</summary>
    public override Tensor forward(Tensor input) => Run(input, withSideOutputs: false).Logits;

    /// <summary>Logits plus side outputs and edge map, all cropped to the input size.</summary>
    public SegmentationOutput ForwardWithSideOutputs(Tensor input) => Run(input, withSideOutputs: true);

    /// <summary>The network proper, on an input whose H and W are multiples of <see cref="SizeDivisor"/>.</summary>
    protected abstract SegmentationOutput ForwardPadded(Tensor input, bool withSideOutputs);

    SegmentationOutput Run(Tensor input, bool withSideOutputs)
    {
        CheckInput(input);
        if (ChannelsLast) input = ToChannelsLast(input);
        if (Precision != Precision.Bf16) return RunPadded(input, withSideOutputs);
        using var policy = ComputePrecision.Enter(Precision);
        var output = RunPadded(input, withSideOutputs);
        // Loss, softmax and metrics in float32.
        return new SegmentationOutput(ComputePrecision.ToFull(output.Logits), output.SideOutputs.Select(ComputePrecision.ToFull).ToList(),
                                      output.Edge is null ? null : ComputePrecision.ToFull(output.Edge));
    }

    SegmentationOutput RunPadded(Tensor input, bool withSideOutputs)
    {
        long height = input.shape[2], width = input.shape[3];
        long padH = (SizeDivisor - height % SizeDivisor) % SizeDivisor;
        long padW = (SizeDivisor - width % SizeDivisor) % SizeDivisor;
        if (padH == 0 && padW == 0) return ForwardPadded(input, withSideOutputs);

        // Pad bottom/right with zeros (the normalised background level), run, crop back.
        using var padded = nn.functional.pad(input, [0, padW, 0, padH]);
        var output = ForwardPadded(padded, withSideOutputs);
        return new SegmentationOutput(
            Crop(output.Logits, height, width),
            output.SideOutputs.Select(s => Crop(s, height, width)).ToList(),
            output.Edge is null ? null : Crop(output.Edge, height, width));
    }

    /// <summary>The same values with NHWC strides (what PyTorch's <c>x.contiguous(memory_format=torch.channels_last)</c> gives).</summary>
    public static Tensor ToChannelsLast(Tensor input)
    {
        using var nhwc = input.permute(0, 2, 3, 1);
        using var packed = nhwc.contiguous();
        return packed.permute(0, 3, 1, 2);
    }

    static Tensor Crop(Tensor t, long height, long width) =>
        t.shape[2] >= height && t.shape[3] >= width ? t[.., .., ..(int)height, ..(int)width] : t;

    void CheckInput(Tensor input)
    {
        if (input.dim() != 4)
            throw new ArgumentException($"{GetName()}: expected an input N x C x H x W, got shape [{string.Join(", ", input.shape)}].");
        if (input.shape[1] != InChannels)
            throw new ArgumentException($"{GetName()}: built for {InChannels} input channel(s), got {input.shape[1]}. " +
                                        "Convert the images (grey <-> RGB) or create the model with the matching channel count.");
        if (!input.is_floating_point())
            throw new ArgumentException($"{GetName()}: expected a floating-point input, got {input.dtype}.");
        if (input.shape[2] < 1 || input.shape[3] < 1)
            throw new ArgumentException($"{GetName()}: empty input of size {input.shape[2]} x {input.shape[3]}.");
    }

    /// <summary>Number of parameters, trainable or not.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());

    /// <summary>
    /// Writes the eval-mode <see cref="forward"/> into an ONNX graph: the same zero padding to
    /// <see cref="SizeDivisor"/> and crop back, with sizes taken from the input at run time.
    /// </summary>
    public OnnxValue ExportOnnx(OnnxGraph g, OnnxValue input)
    {
        var height = g.Dim(input, 2);
        var width = g.Dim(input, 3);
        var divisor = g.Int64s(SizeDivisor);
        // (D - size % D) % D rows/columns of zeros, as Run pads.
        OnnxValue Padding(OnnxValue size) => g.Node("Mod", g.Node("Sub", divisor, g.Node("Mod", size, divisor)), divisor);
        var logits = ExportPadded(g, g.PadBottomRight(input, Padding(height), Padding(width)));
        return g.Node("Slice", logits, g.Int64s(0, 0), g.Concat(0, height, width), g.Int64s(2, 3));
    }

    /// <summary>ONNX export of <see cref="ForwardPadded"/>'s logits; the models implement it next to their forward.</summary>
    protected virtual OnnxValue ExportPadded(OnnxGraph g, OnnxValue input) =>
        throw new NotSupportedException($"{GetName()}: this model has no ONNX export.");
}
