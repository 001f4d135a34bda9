using System.Globalization;

namespace SoSeg.Models.SoSegFormer;

/// <summary>
/// Every SoSegFormer choice the paper leaves open, with the option key it is read from
/// (<c>--model-option key=value</c>). A variant is a set of defaults; any key overrides it.
/// Per-stage lists have one entry per branch stage 1-4 (1/2, 1/4, 1/8, 1/16 of the input).
/// </summary>
public sealed record SoSegFormerOptions
{
    /// <summary>Stem width = C_1, the channels of branch 1.</summary>
    public int StemWidth { get; init; } = 64;
    /// <summary>Inner widths of the four bottleneck layers; their outputs C_2..C_5 are 4x these.</summary>
    public int[] Widths { get; init; } = [64, 128, 256, 512];
    /// <summary>Bottlenecks per encoder layer (ResNet-50: 3, 4, 6, 3).</summary>
    public int[] Depths { get; init; } = [3, 4, 6, 3];
    /// <summary>Token mixer per stage.</summary>
    public AttentionKind[] Attention { get; init; } = [AttentionKind.Linear, AttentionKind.Linear, AttentionKind.MultiHead, AttentionKind.MultiHead];
    /// <summary>Multi-head attention heads per stage (used where the stage's attention is mhsa).</summary>
    public int[] Heads { get; init; } = [1, 2, 4, 8];
    /// <summary>Transformer blocks per StageFormer.</summary>
    public int TransformerBlocks { get; init; } = 2;
    /// <summary>FFN hidden width / attention width.</summary>
    public double FfnRatio { get; init; } = 2.0;
    /// <summary>Side of the patches a StageFormer unfolds into.</summary>
    public int PatchSize { get; init; } = 2;
    /// <summary>StageFormer local conv: depthwise separable (paper) or full 3x3 (authors' code).</summary>
    public LocalConvKind LocalConv { get; init; } = LocalConvKind.DepthwiseSeparable;
    /// <summary>Branch bottleneck expansion.</summary>
    public double BranchExpansion { get; init; } = 2.0;
    /// <summary>Squeeze-excitation reduction ratio.</summary>
    public double SeRatio { get; init; } = 0.25;
    /// <summary>Smallest squeeze-excitation hidden width.</summary>
    public int SeMinHidden { get; init; } = 32;
    /// <summary>Stochastic depth of every StageFormer's residual branch.</summary>
    public double DropPath { get; init; } = 0.0;
    /// <summary>Largest stochastic depth of the cross-scale links (link from branch b: rate x (b-1)/4).</summary>
    public double CrossScaleDropPath { get; init; } = 0.2;
    /// <summary>Cross-scale sources: parallel (eq. 1) or cascade (authors' code).</summary>
    public CrossScaleMode CrossScale { get; init; } = CrossScaleMode.Parallel;
    /// <summary>ASPP branch and output channels.</summary>
    public int AsppChannels { get; init; } = 512;
    /// <summary>ASPP dilation rates.</summary>
    public int[] AsppRates { get; init; } = [12, 24, 36];
    /// <summary>Dropout2d after the ASPP projection.</summary>
    public double AsppDropout { get; init; } = 0.1;
    /// <summary>BatchNorm epsilon everywhere.</summary>
    public double BnEps { get; init; } = 1e-3;
    /// <summary>
    /// Convolution weights: Kaiming-normal fan-out (as ResNets and the PyTorch reference start; the classifier and the
    /// linear-attention blocks' 1x1 convolutions, the reference's linear layers, keep the framework default) or the
    /// framework default everywhere (uniform, std 1/sqrt(3 fan_in)).
    /// </summary>
    public bool KaimingInit { get; init; } = true;

    /// <summary>Branch stages (fixed by the architecture: 1/2, 1/4, 1/8, 1/16).</summary>
    public const int Stages = 4;

    /// <summary>Channels C_1..C_5 of the encoder outputs F1..F5.</summary>
    public long[] StageChannels => [StemWidth, .. Widths.Select(w => (long)w * Blocks.Bottleneck.Expansion)];

    /// <summary>The StageFormer settings of stage <paramref name="stage"/> (0-based).</summary>
    public StageFormerConfig FormerConfig(int stage) => new(
        Attention[stage], Heads[stage], TransformerBlocks, FfnRatio, PatchSize, LocalConv, SeRatio, SeMinHidden, DropPath, BnEps);

    /// <summary>Reads every key from <paramref name="options"/>, falling back to this record's values (the model's constructor validates).</summary>
    public SoSegFormerOptions Read(ModelOptions options) => Binder.Read(this, options);

    /// <summary>Every option as key=value pairs; <see cref="Read"/> gives this record back from them.</summary>
    public Dictionary<string, string> Write() => Binder.Write(this);

    /// <summary>Every option key with this record's value as its default, for <c>soseg models</c> and the docs.</summary>
    public IReadOnlyList<ModelOptionInfo> Describe() => Binder.Describe(this);

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the model and the option when a value breaks its declared rule
    /// or values do not fit together.
    /// </summary>
    public void Validate(string modelName = "sosegformer")
    {
        Binder.Validate(this, modelName);
        var channels = StageChannels;
        for (int s = 0; s < Stages; s++)
        {
            Require(channels[s] % 2 == 0, "widths", Join(Widths), $"stage {s + 1} has {channels[s]} channels; StageFormer needs an even count");
            if (Attention[s] == AttentionKind.MultiHead)
                Require(channels[s] / 2 % Heads[s] == 0, "heads", Join(Heads),
                    $"stage {s + 1} attends over {channels[s] / 2} channels, which {Heads[s]} heads do not divide");
        }

        void Require(bool condition, string key, string value, string problem)
        {
            if (!condition) throw new ArgumentException($"Model '{modelName}' option {key}={value}: {problem}.");
        }
    }

    /// <summary>What H and W must be multiples of: the encoder's stride 32 and, at 1/16, whole StageFormer patches (lcm(32, 16 x patch)).</summary>
    public int SizeDivisor => LeastCommonMultiple(32, 16 * PatchSize);

    static int LeastCommonMultiple(int a, int b)
    {
        int x = a, y = b;
        while (y != 0) (x, y) = (y, x % y);
        return a / x * b;
    }

    static string Join<T>(IEnumerable<T> values) => string.Join(",", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));

    static string? AtLeast(int value, int minimum) => value >= minimum ? null : $"must be at least {minimum}";
    static string? Positive(double value) => value > 0 ? null : "must be positive";
    static string? Probability(double value) => value is >= 0 and < 1 ? null : "must be in [0, 1)";
    static string? PerStage<T>(T[] values, Func<T, bool> fits, string what) =>
        values.Length == Stages && values.All(fits) ? null : $"needs {Stages} {what}";

    static readonly ModelOptionType<AttentionKind> AttentionType = ModelOptionTypes.Choice(
        ("linear", AttentionKind.Linear), ("mhsa", AttentionKind.MultiHead),
        ("separable", AttentionKind.Linear), ("multihead", AttentionKind.MultiHead), ("multi-head", AttentionKind.MultiHead));

    static readonly ModelOptionType<LocalConvKind> LocalConvType = ModelOptionTypes.Choice(
        ("depthwise", LocalConvKind.DepthwiseSeparable), ("depthwise-bn-each", LocalConvKind.DepthwiseSeparableNormEach), ("full", LocalConvKind.Full),
        ("separable", LocalConvKind.DepthwiseSeparable), ("depthwise-separable", LocalConvKind.DepthwiseSeparable));

    static readonly ModelOptionType<CrossScaleMode> CrossScaleType = ModelOptionTypes.Choice(
        ("parallel", CrossScaleMode.Parallel), ("cascade", CrossScaleMode.Cascade));

    static readonly ModelOptionType<bool> InitType = ModelOptionTypes.Choice(("kaiming", true), ("torch", false));

    static SoSegFormerOptions Defaults { get; } = new();

    /// <summary>Every SoSegFormer option, declared once: key, type, rule, description and the property it sets (defaults: the variant's record).</summary>
    static readonly ModelOptionBinder<SoSegFormerOptions> Binder = new ModelOptionBinder<SoSegFormerOptions>()
        .Bind(new ModelOption<int>("stem", Defaults.StemWidth, "Stem width C_1 (channels of branch 1 at 1/2).",
                validate: v => v >= 2 && v % 2 == 0 ? null : "must be an even width of at least 2"),
            o => o.StemWidth, (o, v) => o with { StemWidth = v })
        .Bind(new ModelOption<int[]>("widths", Defaults.Widths, "Inner widths of the 4 bottleneck layers; C_2..C_5 are 4x these.",
                validate: v => PerStage(v, w => w >= 1, "positive widths")),
            o => o.Widths, (o, v) => o with { Widths = v })
        .Bind(new ModelOption<int[]>("depths", Defaults.Depths, "Bottlenecks per encoder layer.",
                validate: v => PerStage(v, d => d >= 1, "depths of at least 1")),
            o => o.Depths, (o, v) => o with { Depths = v })
        .Bind(new ModelOption<AttentionKind[]>("attention", Defaults.Attention,
                "Attention per stage (1/2,1/4,1/8,1/16): linear (MobileViTv2 separable) or mhsa (multi-head).",
                ModelOptionTypes.ListOf(AttentionType), v => PerStage(v, _ => true, "entries (linear or mhsa)")),
            o => o.Attention, (o, v) => o with { Attention = v })
        .Bind(new ModelOption<int[]>("heads", Defaults.Heads, "Multi-head attention heads per stage (must divide C_s/2; unused by linear stages).",
                validate: v => PerStage(v, h => h >= 1, "head counts of at least 1")),
            o => o.Heads, (o, v) => o with { Heads = v })
        .Bind(new ModelOption<int>("transformer-blocks", Defaults.TransformerBlocks, "Transformer blocks per StageFormer.",
                validate: v => AtLeast(v, 1)),
            o => o.TransformerBlocks, (o, v) => o with { TransformerBlocks = v })
        .Bind(new ModelOption<double>("ffn-ratio", Defaults.FfnRatio, "Transformer FFN hidden width / attention width (rounded to a multiple of 16).",
                validate: Positive),
            o => o.FfnRatio, (o, v) => o with { FfnRatio = v })
        .Bind(new ModelOption<int>("patch-size", Defaults.PatchSize, "StageFormer patch side (2 = 2x2 patches).",
                validate: v => v is >= 1 and <= 4 ? null : "must be 1 to 4"),
            o => o.PatchSize, (o, v) => o with { PatchSize = v })
        .Bind(new ModelOption<LocalConvKind>("local-conv", Defaults.LocalConv,
                "StageFormer local 3x3: depthwise (separable, one BN + SiLU after the pair: the paper and spec), depthwise-bn-each (BN + SiLU after each conv, an earlier SoSeg form) or full (the authors' code).",
                LocalConvType),
            o => o.LocalConv, (o, v) => o with { LocalConv = v })
        .Bind(new ModelOption<double>("branch-expansion", Defaults.BranchExpansion, "Hidden width / C of the branch BottleneckSE.", validate: Positive),
            o => o.BranchExpansion, (o, v) => o with { BranchExpansion = v })
        .Bind(new ModelOption<double>("se-ratio", Defaults.SeRatio, "Squeeze-excitation hidden width = max(round8(C x ratio), se-min-hidden).", validate: Positive),
            o => o.SeRatio, (o, v) => o with { SeRatio = v })
        .Bind(new ModelOption<int>("se-min-hidden", Defaults.SeMinHidden, "Smallest squeeze-excitation hidden width.", validate: v => AtLeast(v, 1)),
            o => o.SeMinHidden, (o, v) => o with { SeMinHidden = v })
        .Bind(new ModelOption<double>("drop-path", Defaults.DropPath, "Stochastic depth on every StageFormer's residual branch.", validate: Probability),
            o => o.DropPath, (o, v) => o with { DropPath = v })
        .Bind(new ModelOption<double>("cross-scale-drop-path", Defaults.CrossScaleDropPath,
                "Largest stochastic depth of cross-scale links (link from branch b: rate x (b-1)/4).", validate: Probability),
            o => o.CrossScaleDropPath, (o, v) => o with { CrossScaleDropPath = v })
        .Bind(new ModelOption<CrossScaleMode>("cross-scale", Defaults.CrossScale,
                "parallel (eq. 1: links read R_b) or cascade (authors' code: links read the instructed R'_b).", CrossScaleType),
            o => o.CrossScale, (o, v) => o with { CrossScale = v })
        .Bind(new ModelOption<int>("aspp-channels", Defaults.AsppChannels, "ASPP branch and output channels.", validate: v => AtLeast(v, 1)),
            o => o.AsppChannels, (o, v) => o with { AsppChannels = v })
        .Bind(new ModelOption<int[]>("aspp-rates", Defaults.AsppRates, "ASPP dilation rates.",
                validate: v => v.Length >= 1 && v.All(r => r >= 1) ? null : "needs dilation rates of at least 1"),
            o => o.AsppRates, (o, v) => o with { AsppRates = v })
        .Bind(new ModelOption<double>("aspp-dropout", Defaults.AsppDropout, "Dropout2d after the ASPP projection.", validate: Probability),
            o => o.AsppDropout, (o, v) => o with { AsppDropout = v })
        .Bind(new ModelOption<double>("bn-eps", Defaults.BnEps, "BatchNorm epsilon (the authors' code: 1e-3).", validate: Positive),
            o => o.BnEps, (o, v) => o with { BnEps = v })
        .Bind(new ModelOption<bool>("init", Defaults.KaimingInit,
                "Convolution weights: kaiming (Kaiming-normal fan-out, as ResNets and the reference code) or torch (the framework default, std 1/sqrt(3 fan_in)).",
                InitType),
            o => o.KaimingInit, (o, v) => o with { KaimingInit = v });
}
