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
    public SoSegFormerOptions Read(ModelOptions options)
    {
        var result = this;
        foreach (var spec in Specs) result = spec.Read(result, options);
        return result;
    }

    /// <summary>Every option key with this record's value as its default, for <c>soseg models</c> and the docs.</summary>
    public IReadOnlyList<ModelOptionInfo> Describe() => Specs.Select(s => new ModelOptionInfo(s.Key, s.Format(this), s.Description)).ToList();

    /// <summary>Throws an <see cref="ArgumentException"/> naming the option when values do not fit together.</summary>
    public void Validate()
    {
        Require(StemWidth >= 2 && StemWidth % 2 == 0, "stem", $"must be an even width of at least 2, got {StemWidth}");
        Require(Widths.Length == Stages && Widths.All(w => w >= 1), "widths", $"needs {Stages} positive widths, got {Join(Widths)}");
        Require(Depths.Length == Stages && Depths.All(d => d >= 1), "depths", $"needs {Stages} depths of at least 1, got {Join(Depths)}");
        Require(Attention.Length == Stages, "attention", $"needs {Stages} entries (linear or mhsa), got {Attention.Length}");
        Require(Heads.Length == Stages && Heads.All(h => h >= 1), "heads", $"needs {Stages} head counts of at least 1, got {Join(Heads)}");
        Require(TransformerBlocks >= 1, "transformer-blocks", $"must be at least 1, got {TransformerBlocks}");
        Require(FfnRatio > 0, "ffn-ratio", $"must be positive, got {FfnRatio}");
        Require(PatchSize is >= 1 and <= 4, "patch-size", $"must be 1 to 4, got {PatchSize}");
        Require(BranchExpansion > 0, "branch-expansion", $"must be positive, got {BranchExpansion}");
        Require(SeRatio > 0, "se-ratio", $"must be positive, got {SeRatio}");
        Require(SeMinHidden >= 1, "se-min-hidden", $"must be at least 1, got {SeMinHidden}");
        Require(DropPath is >= 0 and < 1, "drop-path", $"must be in [0, 1), got {DropPath}");
        Require(CrossScaleDropPath is >= 0 and < 1, "cross-scale-drop-path", $"must be in [0, 1), got {CrossScaleDropPath}");
        Require(AsppChannels >= 1, "aspp-channels", $"must be at least 1, got {AsppChannels}");
        Require(AsppRates.Length >= 1 && AsppRates.All(r => r >= 1), "aspp-rates", $"needs dilation rates of at least 1, got {Join(AsppRates)}");
        Require(AsppDropout is >= 0 and < 1, "aspp-dropout", $"must be in [0, 1), got {AsppDropout}");
        Require(BnEps > 0, "bn-eps", $"must be positive, got {BnEps}");
        var channels = StageChannels;
        for (int s = 0; s < Stages; s++)
        {
            Require(channels[s] % 2 == 0, "widths", $"stage {s + 1} has {channels[s]} channels; StageFormer needs an even count");
            if (Attention[s] == AttentionKind.MultiHead)
                Require(channels[s] / 2 % Heads[s] == 0, "heads",
                    $"stage {s + 1} attends over {channels[s] / 2} channels, which {Heads[s]} heads do not divide");
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

    static void Require(bool condition, string key, string problem)
    {
        if (!condition) throw new ArgumentException($"SoSegFormer option {key}: {problem}.");
    }

    static string Join<T>(IEnumerable<T> values) => string.Join(",", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));

    static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    sealed record Spec(string Key, string Description, Func<SoSegFormerOptions, string> Format,
                       Func<SoSegFormerOptions, ModelOptions, SoSegFormerOptions> Read);

    static readonly Spec[] Specs =
    [
        new("stem", "Stem width C_1 (channels of branch 1 at 1/2).",
            o => o.StemWidth.ToString(CultureInfo.InvariantCulture), (o, m) => o with { StemWidth = m.GetInt("stem", o.StemWidth) }),
        new("widths", "Inner widths of the 4 bottleneck layers; C_2..C_5 are 4x these.",
            o => Join(o.Widths), (o, m) => o with { Widths = m.GetIntList("widths", o.Widths) }),
        new("depths", "Bottlenecks per encoder layer.",
            o => Join(o.Depths), (o, m) => o with { Depths = m.GetIntList("depths", o.Depths) }),
        new("attention", "Attention per stage (1/2,1/4,1/8,1/16): linear (MobileViTv2 separable) or mhsa (multi-head).",
            o => Join(o.Attention.Select(AttentionKinds.Name)),
            (o, m) => o with { Attention = m.GetStringList("attention", o.Attention.Select(AttentionKinds.Name).ToArray()).Select(ParseAttention).ToArray() }),
        new("heads", "Multi-head attention heads per stage (must divide C_s/2; unused by linear stages).",
            o => Join(o.Heads), (o, m) => o with { Heads = m.GetIntList("heads", o.Heads) }),
        new("transformer-blocks", "Transformer blocks per StageFormer.",
            o => o.TransformerBlocks.ToString(CultureInfo.InvariantCulture), (o, m) => o with { TransformerBlocks = m.GetInt("transformer-blocks", o.TransformerBlocks) }),
        new("ffn-ratio", "Transformer FFN hidden width / attention width (rounded to a multiple of 16).",
            o => Format(o.FfnRatio), (o, m) => o with { FfnRatio = m.GetDouble("ffn-ratio", o.FfnRatio) }),
        new("patch-size", "StageFormer patch side (2 = 2x2 patches).",
            o => o.PatchSize.ToString(CultureInfo.InvariantCulture), (o, m) => o with { PatchSize = m.GetInt("patch-size", o.PatchSize) }),
        new("local-conv", "StageFormer local 3x3: depthwise (separable, one BN + SiLU after the pair: the paper and spec), depthwise-bn-each (BN + SiLU after each conv, an earlier SoSeg form) or full (the authors' code).",
            o => LocalConvName(o.LocalConv),
            (o, m) => o with { LocalConv = ParseLocalConv(m.GetString("local-conv", LocalConvName(o.LocalConv))) }),
        new("branch-expansion", "Hidden width / C of the branch BottleneckSE.",
            o => Format(o.BranchExpansion), (o, m) => o with { BranchExpansion = m.GetDouble("branch-expansion", o.BranchExpansion) }),
        new("se-ratio", "Squeeze-excitation hidden width = max(round8(C x ratio), se-min-hidden).",
            o => Format(o.SeRatio), (o, m) => o with { SeRatio = m.GetDouble("se-ratio", o.SeRatio) }),
        new("se-min-hidden", "Smallest squeeze-excitation hidden width.",
            o => o.SeMinHidden.ToString(CultureInfo.InvariantCulture), (o, m) => o with { SeMinHidden = m.GetInt("se-min-hidden", o.SeMinHidden) }),
        new("drop-path", "Stochastic depth on every StageFormer's residual branch.",
            o => Format(o.DropPath), (o, m) => o with { DropPath = m.GetDouble("drop-path", o.DropPath) }),
        new("cross-scale-drop-path", "Largest stochastic depth of cross-scale links (link from branch b: rate x (b-1)/4).",
            o => Format(o.CrossScaleDropPath), (o, m) => o with { CrossScaleDropPath = m.GetDouble("cross-scale-drop-path", o.CrossScaleDropPath) }),
        new("cross-scale", "parallel (eq. 1: links read R_b) or cascade (authors' code: links read the instructed R'_b).",
            o => o.CrossScale == CrossScaleMode.Parallel ? "parallel" : "cascade",
            (o, m) => o with { CrossScale = ParseCrossScale(m.GetString("cross-scale", o.CrossScale == CrossScaleMode.Parallel ? "parallel" : "cascade")) }),
        new("aspp-channels", "ASPP branch and output channels.",
            o => o.AsppChannels.ToString(CultureInfo.InvariantCulture), (o, m) => o with { AsppChannels = m.GetInt("aspp-channels", o.AsppChannels) }),
        new("aspp-rates", "ASPP dilation rates.",
            o => Join(o.AsppRates), (o, m) => o with { AsppRates = m.GetIntList("aspp-rates", o.AsppRates) }),
        new("aspp-dropout", "Dropout2d after the ASPP projection.",
            o => Format(o.AsppDropout), (o, m) => o with { AsppDropout = m.GetDouble("aspp-dropout", o.AsppDropout) }),
        new("bn-eps", "BatchNorm epsilon (the authors' code: 1e-3).",
            o => Format(o.BnEps), (o, m) => o with { BnEps = m.GetDouble("bn-eps", o.BnEps) }),
        new("init", "Convolution weights: kaiming (Kaiming-normal fan-out, as ResNets and the reference code) or torch (the framework default, std 1/sqrt(3 fan_in)).",
            o => o.KaimingInit ? "kaiming" : "torch",
            (o, m) => o with { KaimingInit = m.GetString("init", o.KaimingInit ? "kaiming" : "torch").Trim().ToLowerInvariant() switch
            {
                "kaiming" => true,
                "torch" => false,
                var text => throw new ArgumentException($"SoSegFormer option init: '{text}' is not kaiming or torch."),
            } }),
    ];

    static AttentionKind ParseAttention(string text)
    {
        try { return AttentionKinds.Parse(text); }
        catch (ArgumentException e) { throw new ArgumentException($"SoSegFormer option attention: {e.Message}"); }
    }

    static LocalConvKind ParseLocalConv(string text) => text.Trim().ToLowerInvariant() switch
    {
        "depthwise" or "separable" or "depthwise-separable" => LocalConvKind.DepthwiseSeparable,
        "depthwise-bn-each" => LocalConvKind.DepthwiseSeparableNormEach,
        "full" => LocalConvKind.Full,
        _ => throw new ArgumentException($"SoSegFormer option local-conv: '{text}' is not depthwise, depthwise-bn-each or full."),
    };

    static string LocalConvName(LocalConvKind kind) => kind switch
    {
        LocalConvKind.DepthwiseSeparable => "depthwise",
        LocalConvKind.DepthwiseSeparableNormEach => "depthwise-bn-each",
        _ => "full",
    };

    static CrossScaleMode ParseCrossScale(string text) => text.Trim().ToLowerInvariant() switch
    {
        "parallel" => CrossScaleMode.Parallel,
        "cascade" => CrossScaleMode.Cascade,
        _ => throw new ArgumentException($"SoSegFormer option cross-scale: '{text}' is not parallel or cascade."),
    };
}
