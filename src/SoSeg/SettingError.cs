namespace SoSeg;

/// <summary>
/// Errors about a setting a caller gave. Messages name a setting by its property name ("Epochs must be at least 1
/// (got 0).") and the exception lists the names it uses, so a front end can show its own words for them (the
/// command line shows "--epochs").
/// </summary>
public static class SettingError
{
    /// <summary>Key in <see cref="Exception.Data"/> of the setting names a message uses.</summary>
    public const string NamesKey = "SoSeg.SettingNames";

    /// <summary>"<paramref name="setting"/> <paramref name="requirement"/>", naming the setting.</summary>
    public static ArgumentException Invalid(string setting, string requirement) =>
        Naming(new ArgumentException($"{setting} {requirement}"), setting);

    /// <summary>Records that <paramref name="error"/>'s message names these settings; returns it.</summary>
    public static TException Naming<TException>(TException error, params string[] settings) where TException : Exception
    {
        var names = NamesIn(error).Concat(settings).Distinct(StringComparer.Ordinal).ToArray();
        error.Data[NamesKey] = names;
        return error;
    }

    /// <summary>The setting names the message of <paramref name="error"/> uses (none when it names no setting).</summary>
    public static IReadOnlyList<string> NamesIn(Exception error) => error.Data[NamesKey] as string[] ?? [];
}
