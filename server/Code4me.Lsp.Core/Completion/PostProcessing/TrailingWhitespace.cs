namespace Code4me.Lsp.Core.Completion.PostProcessing;

/// <summary>Removes whitespace the user would only have to delete.</summary>
public static class TrailingWhitespace
{
    /// <summary>
    /// Trims spaces and tabs at the end of every inner line; at the very end, trims all whitespace when
    /// the rest of the caret's line is blank, and only line breaks and indentation otherwise (a space
    /// before existing text is kept).
    /// </summary>
    public static string Trim(string completion, string suffix)
    {
        if (completion.Length == 0)
        {
            return completion;
        }

        var lines = completion.Split('\n');
        for (var i = 0; i < lines.Length - 1; i++)
        {
            lines[i] = lines[i].TrimEnd(' ', '\t');
        }

        var joined = string.Join('\n', lines);
        if (TextLines.IsBlank(TextLines.RestOfLine(suffix)))
        {
            return joined.TrimEnd();
        }

        var lastText = joined.AsSpan().LastIndexOfAnyExcept(" \t\r\n");
        var end = joined.AsSpan(lastText + 1).ContainsAny('\n', '\r') ? lastText + 1 : joined.Length;
        return joined[..end];
    }
}
