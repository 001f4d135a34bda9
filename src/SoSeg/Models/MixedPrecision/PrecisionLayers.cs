using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SoSeg.Models.MixedPrecision;

/// <summary>
/// Convolution and linear layers that follow <see cref="ComputePrecision"/>: float32 weights always
/// (what the optimizer updates and checkpoints store), cast with the input to bfloat16 inside a bf16
/// forward. Made like TorchSharp's <c>nn.Conv2d</c>, <c>nn.ConvTranspose2d</c> and <c>nn.Linear</c>
/// (same initialisation, same random draws, same parameter names "weight" and "bias"), so seeds,
/// weights and checkpoints are the same as with those.
/// </summary>
public static class PrecisionLayers
{
    public static PrecisionConv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0,
                                         long dilation = 1, long groups = 1, bool bias = true)
    {
        using var conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride: stride, padding: padding, dilation: dilation, groups: groups, bias: bias);
        return new PrecisionConv2d(conv);
    }

    public static PrecisionConv2d Conv2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long) stride, (long, long) padding,
                                         (long, long) dilation, long groups = 1, bool bias = true)
    {
        using var conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride: stride, padding: padding, dilation: dilation, groups: groups, bias: bias);
        return new PrecisionConv2d(conv);
    }

    public static PrecisionConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0,
                                                           long output_padding = 0, bool bias = true)
    {
        using var conv = nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride: stride, padding: padding, output_padding: output_padding, bias: bias);
        return new PrecisionConvTranspose2d(conv);
    }

    public static PrecisionLinear Linear(long in_features, long out_features, bool hasBias = true)
    {
        using var linear = nn.Linear(in_features, out_features, hasBias: hasBias);
        return new PrecisionLinear(linear);
    }

    /// <summary>A copy of <paramref name="parameter"/> owned by the new layer (the TorchSharp layer it came from is disposed).</summary>
    internal static Parameter Own(Parameter parameter)
    {
        using var noGrad = no_grad();
        return new Parameter(parameter.detach().clone());
    }
}

/// <summary>Base of the precision-following layers: the weight, the optional bias and the cast.</summary>
public abstract class PrecisionLayer : nn.Module<Tensor, Tensor>
{
    // Public fields named as the registered parameters: Module.to() replaces both together (by name, through reflection).
    public Parameter weight;
    public Parameter? bias;

    protected PrecisionLayer(string name, Parameter weight, Parameter? bias) : base(name)
    {
        this.weight = PrecisionLayers.Own(weight);
        this.bias = bias is null ? null : PrecisionLayers.Own(bias);
        register_parameter(nameof(weight), this.weight);
        if (this.bias is not null) register_parameter(nameof(bias), this.bias);
    }

    public sealed override Tensor forward(Tensor input)
    {
        if (ComputePrecision.ReducedType is not { } type || !input.is_floating_point()) return Compute(input, weight, bias);
        using var reducedWeight = weight.to(type);
        using var reducedBias = bias?.to(type);
        if (input.dtype == type) return Compute(input, reducedWeight, reducedBias);
        using var reducedInput = input.to(type);
        return Compute(reducedInput, reducedWeight, reducedBias);
    }

    /// <summary>The layer's operation on tensors of one type.</summary>
    protected abstract Tensor Compute(Tensor input, Tensor weight, Tensor? bias);
}

public sealed class PrecisionConv2d : PrecisionLayer
{
    readonly long[] _stride, _padding, _dilation;
    readonly long _groups;

    internal PrecisionConv2d(Conv2d conv) : base("Conv2d", conv.weight, conv.bias)
    {
        if (conv.padding_mode != PaddingModes.Zeros || conv.padding_type is not null)
            throw new ArgumentException("PrecisionConv2d supports explicit zero padding only.");
        (_stride, _padding, _dilation, _groups) = (conv.stride, conv.padding, conv.dilation, conv.groups);
    }

    // The convolution's attributes, for exporters (ONNX).
    public IReadOnlyList<long> Stride => _stride;
    public IReadOnlyList<long> Padding => _padding;
    public IReadOnlyList<long> Dilation => _dilation;
    public long Groups => _groups;

    protected override Tensor Compute(Tensor input, Tensor weight, Tensor? bias) =>
        F.conv2d(input, weight, bias, _stride, _padding, _dilation, _groups);
}

public sealed class PrecisionConvTranspose2d : PrecisionLayer
{
    readonly long[] _stride, _padding, _outputPadding, _dilation;
    readonly long _groups;

    internal PrecisionConvTranspose2d(ConvTranspose2d conv) : base("ConvTranspose2d", conv.weight, conv.bias)
    {
        if (conv.padding_mode != PaddingModes.Zeros)
            throw new ArgumentException("PrecisionConvTranspose2d supports zero padding only.");
        (_stride, _padding, _outputPadding, _dilation, _groups) = (conv.stride, conv.padding, conv.output_padding, conv.dilation, conv.groups);
    }

    // The convolution's attributes, for exporters (ONNX).
    public IReadOnlyList<long> Stride => _stride;
    public IReadOnlyList<long> Padding => _padding;
    public IReadOnlyList<long> OutputPadding => _outputPadding;
    public IReadOnlyList<long> Dilation => _dilation;
    public long Groups => _groups;

    protected override Tensor Compute(Tensor input, Tensor weight, Tensor? bias) =>
        F.conv_transpose2d(input, weight, bias, _stride, _padding, _outputPadding, _dilation, _groups);
}

public sealed class PrecisionLinear : PrecisionLayer
{
    internal PrecisionLinear(Linear linear) : base("Linear", linear.weight, linear.bias) { }

    protected override Tensor Compute(Tensor input, Tensor weight, Tensor? bias) => F.linear(input, weight, bias);
}

/// <summary>PReLU (one slope per channel, as TorchSharp's <c>nn.PReLU</c>) whose float32 slopes follow the input's type.</summary>
public sealed class PrecisionPReLU : nn.Module<Tensor, Tensor>
{
    // Public field named as the registered parameter: Module.to() replaces both together.
    public Parameter weight;

    public PrecisionPReLU(long channels, double init = 0.25) : base("PReLU")
    {
        weight = new Parameter(full(channels, init));
        register_parameter(nameof(weight), weight);
    }

    public override Tensor forward(Tensor input)
    {
        if (input.dtype == weight.dtype) return F.prelu(input, weight);
        using var slopes = weight.to(input.dtype);
        return F.prelu(input, slopes);
    }
}
