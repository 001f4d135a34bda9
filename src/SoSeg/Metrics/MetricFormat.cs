using System.Globalization;

namespace SoSeg.Metrics;

/// <summary>Numbers as the paper prints them: percentages with two decimals, MAE in units of 10⁻⁴.</summary>
public static class MetricFormat
{
    /// <summary>Shown for undefined values.</summary>
    public const string Undefined = "n/a";

    /// <summary>0.87021 -> "87.02".</summary>
    public static string Percent(double? fraction) =>
        fraction is { } v ? (v * 100).ToString("F2", CultureInfo.InvariantCulture) : Undefined;

    /// <summary>0.000083 -> "0.83" (the value in units of 10⁻⁴).</summary>
    public static string TenThousandths(double? value) =>
        value is { } v ? (v * 1e4).ToString("F2", CultureInfo.InvariantCulture) : Undefined;

    /// <summary>Area ratio as a percentage with three decimals, like Table I ("0.001%").</summary>
    public static string AreaPercent(double? ratio) =>
        ratio is { } v ? (v * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%" : Undefined;

    /// <summary>Full precision for machine-read files (CSV); empty when undefined.</summary>
    public static string Raw(double? value) =>
        value is { } v ? v.ToString("G9", CultureInfo.InvariantCulture) : "";
}
