using SoSeg.Models;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models;

public class ModelOptionsTests
{
    [Fact]
    public void Options_parse_typed_values_with_defaults()
    {
        var options = ModelOptions.Parse(["depth=3", "widths=8,16, 32", "attention=linear,mhsa", "bias=off"]);
        Assert.Equal(3, options.GetInt("depth", 1));
        Assert.Equal([8, 16, 32], options.GetIntList("widths", []));
        Assert.Equal(["linear", "mhsa"], options.GetStringList("attention", []));
        Assert.False(options.GetBool("bias", true));
        Assert.Equal(0.5, options.GetDouble("dropout", 0.5));
        options.EnsureAllUsed("m");
    }

    [Fact]
    public void Unknown_or_malformed_options_are_errors()
    {
        var options = ModelOptions.Parse(["deep=3"]);
        options.GetInt("depth", 1);
        var unknown = Assert.Throws<ArgumentException>(() => options.EnsureAllUsed("unet"));
        Assert.Contains("deep", unknown.Message);
        Assert.Throws<ArgumentException>(() => ModelOptions.Parse(["novalue"]));
        var bad = Assert.Throws<ArgumentException>(() => ModelOptions.Parse(["depth=two"]).GetInt("depth", 1));
        Assert.Contains("depth=two", bad.Message);
    }
}

public class ModelOptionBinderTests
{
    enum Mode { Fast, Exact }

    sealed record Settings(int Width, double Rate, Mode Mode);

    static readonly ModelOptionBinder<Settings> Binder = new ModelOptionBinder<Settings>()
        .Bind(new ModelOption<int>("width", 0, "width", validate: v => v >= 8 ? null : "must be at least 8"), s => s.Width, (s, v) => s with { Width = v })
        .Bind(new ModelOption<double>("rate", 0, "rate"), s => s.Rate, (s, v) => s with { Rate = v })
        .Bind(new ModelOption<Mode>("mode", Mode.Fast, "mode", ModelOptionTypes.Choice(("fast", Mode.Fast), ("exact", Mode.Exact), ("precise", Mode.Exact))),
            s => s.Mode, (s, v) => s with { Mode = v });

    [Fact]
    public void Pairs_bind_to_the_typed_record_and_back()
    {
        var defaults = new Settings(16, 0.25, Mode.Fast);
        var bound = Binder.Read(defaults, ModelOptions.Parse(["width=32", "mode=PRECISE"]));
        Assert.Equal(new Settings(32, 0.25, Mode.Exact), bound);

        var written = Binder.Write(bound);
        Assert.Equal(new Dictionary<string, string> { ["width"] = "32", ["rate"] = "0.25", ["mode"] = "exact" }, written);
        Assert.Equal(bound, Binder.Read(new Settings(8, 0.5, Mode.Fast), new ModelOptions(written)));

        var listing = Binder.Describe(defaults);
        Assert.Equal(["width", "rate", "mode"], listing.Select(o => o.Key));
        Assert.Equal(["16", "0.25", "fast"], listing.Select(o => o.Default));
    }

    [Fact]
    public void Bad_values_name_the_model_and_the_key()
    {
        var defaults = new Settings(16, 0.25, Mode.Fast);
        var options = ModelOptions.Parse(["mode=slow"]);
        options.ModelName = "tiny";
        var choice = Assert.Throws<ArgumentException>(() => Binder.Read(defaults, options));
        Assert.Equal("Model 'tiny' option mode=slow: cannot read 'slow' as fast or exact.", choice.Message);

        var tooNarrow = ModelOptions.Parse(["width=4"]);
        tooNarrow.ModelName = "tiny";
        var rule = Assert.Throws<ArgumentException>(() => Binder.Read(defaults, tooNarrow));
        Assert.Equal("Model 'tiny' option width=4: must be at least 8.", rule.Message);

        var inCode = Assert.Throws<ArgumentException>(() => Binder.Validate(defaults with { Width = 2 }, "tiny"));
        Assert.Equal("Model 'tiny' option width=2: must be at least 8.", inCode.Message);
    }

    [Fact]
    public void SoSegFormer_options_round_trip_and_list_what_they_declare()
    {
        var small = SoSeg.Models.SoSegFormer.SoSegFormerModels.Small;
        var changed = small.Read(ModelOptions.Parse(["attention=linear,mhsa,mhsa,mhsa", "local-conv=full", "cross-scale=cascade", "init=torch", "bn-eps=1e-5"]));
        var again = small.Read(new ModelOptions(changed.Write()));
        Assert.Equal(changed.Write(), again.Write());
        Assert.Equal("linear,mhsa,mhsa,mhsa", changed.Write()["attention"]);
        Assert.Equal("1E-05", changed.Write()["bn-eps"]);
        Assert.Equal(small.Describe().Select(o => o.Key), small.Write().Keys);

        var error = Assert.Throws<ArgumentException>(() => ModelRegistry.Create("sosegformer-s", 3, 2, ModelOptions.Parse(["patch-size=9"])));
        Assert.Equal("Model 'sosegformer-s' option patch-size=9: must be 1 to 4.", error.Message);
    }
}

public class ModelOptionDocsTests
{
    [Fact]
    public void The_SoSegFormer_options_table_in_the_docs_lists_every_declaration_with_its_defaults()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "docs", "architecture.md"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("docs/architecture.md not found");
        var rows = File.ReadAllLines(Path.Combine(root, "docs", "architecture.md"))
            .SkipWhile(line => line != "### Options").TakeWhile(line => !line.StartsWith("Unknown keys", StringComparison.Ordinal))
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line.Split('|', StringSplitOptions.TrimEntries))
            .ToDictionary(cells => cells[1].Trim('`'), cells => (Paper: cells[2], Small: cells[3]));

        var paper = SoSeg.Models.SoSegFormer.SoSegFormerModels.PaperScale.Describe();
        var small = SoSeg.Models.SoSegFormer.SoSegFormerModels.Small.Describe();
        Assert.Equal(paper.Select(o => o.Key), rows.Keys);
        foreach (var (p, s) in paper.Zip(small))
            Assert.Equal((p.Default, s.Default), rows[p.Key]);
    }
}
