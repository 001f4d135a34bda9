using Spectre.Console;

namespace SoSeg.Cli;

/// <summary>Prints a table: a Spectre.Console table on an interactive terminal, aligned plain text otherwise (redirected output, tests).</summary>
public static class TextTable
{
    /// <param name="output">Where the command writes.</param>
    /// <param name="headers">Column titles.</param>
    /// <param name="rows">Cells, one array per row.</param>
    /// <param name="rightAligned">Columns to right-align (numbers).</param>
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IReadOnlyList<string[]> rows, ISet<int>? rightAligned = null)
    {
        rightAligned ??= new HashSet<int>();
        if (IsInteractiveConsole(output))
        {
            var table = new Table().Border(TableBorder.Rounded);
            for (int c = 0; c < headers.Count; c++)
            {
                var column = new TableColumn(Markup.Escape(headers[c]));
                if (rightAligned.Contains(c)) column.RightAligned();
                table.AddColumn(column);
            }
            foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
            AnsiConsole.Write(table);
            return;
        }
        var widths = headers.Select((h, c) => Math.Max(h.Length, rows.Select(r => r[c].Length).DefaultIfEmpty(0).Max())).ToArray();
        string Line(IReadOnlyList<string> cells) => string.Join("  ", cells.Select((cell, c) =>
            c == cells.Count - 1 && !rightAligned.Contains(c) ? cell
            : rightAligned.Contains(c) ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c])));
        output.WriteLine(Line(headers));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows) output.WriteLine(Line(row));
    }

    /// <summary>True when <paramref name="output"/> is this process's terminal (not redirected, not a test writer).</summary>
    public static bool IsInteractiveConsole(TextWriter output) =>
        ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
}
