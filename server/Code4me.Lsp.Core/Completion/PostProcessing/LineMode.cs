namespace Code4me.Lsp.Core.Completion.PostProcessing;

/// <summary>Decides whether a position wants a single line or a block.</summary>
public static class LineMode
{
    /// <summary>
    /// Multi-line when the rest of the caret's line is blank and the code before the caret ends a block
    /// opener: <c>:</c> in Python, <c>do</c>/<c>then</c> in Ruby/Lua/Elixir/shell, an open bracket
    /// (<c>{</c>, <c>(</c>, <c>[</c>) elsewhere — on the caret's line, or on the previous line when the
    /// caret sits on a fresh, blank line. Single-line mid-line and everywhere else.
    /// </summary>
    public static bool IsMultiLine(string prefix, string suffix, string languageId)
    {
        if (!TextLines.IsBlank(TextLines.RestOfLine(suffix)))
        {
            return false;
        }

        var line = TextLines.CurrentLinePrefix(prefix);
        if (TextLines.IsBlank(line))
        {
            var before = prefix.AsSpan(0, Math.Max(0, prefix.Length - line.Length - 1));
            if (before.Length > 0 && before[^1] == '\r')
            {
                before = before[..^1];
            }

            line = TextLines.CurrentLinePrefix(before);
        }

        return EndsWithOpener(line.TrimEnd(), languageId);
    }

    /// <summary>The first line of a completion; empty when it starts with a line break.</summary>
    public static string FirstLine(string completion)
    {
        var end = completion.AsSpan().IndexOfAny('\n', '\r');
        return end < 0 ? completion : completion[..end];
    }

    private static bool EndsWithOpener(ReadOnlySpan<char> code, string languageId)
    {
        if (code.IsEmpty)
        {
            return false;
        }

        switch (languageId)
        {
            case "python":
                return code[^1] is ':' or '(' or '[' or '{';
            case "ruby" or "lua" or "elixir" or "shellscript":
                return code[^1] is '{' or '(' or '[' || EndsWithWord(code, "do") || EndsWithWord(code, "then");
            default:
                return code[^1] is '{' or '(' or '[';
        }
    }

    private static bool EndsWithWord(ReadOnlySpan<char> code, string word)
        => code.EndsWith(word, StringComparison.Ordinal) && (code.Length == word.Length || !char.IsLetterOrDigit(code[^(word.Length + 1)]));
}
