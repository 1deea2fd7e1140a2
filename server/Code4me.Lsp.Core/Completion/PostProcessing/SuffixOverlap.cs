namespace Code4me.Lsp.Core.Completion.PostProcessing;

/// <summary>Removes the end of a completion that repeats text already after the caret.</summary>
public static class SuffixOverlap
{
    /// <summary>
    /// Drops the longest end of <paramref name="completion"/> equal to the start of <paramref name="suffix"/>,
    /// when that shared text is either made only of closing punctuation (what editors auto-insert:
    /// <c>)]}"';,</c>) or reaches a line end in the suffix (the completion re-typed the rest of a line).
    /// A coincidental overlap in the middle of a line is kept.
    /// </summary>
    public static string Remove(string completion, string suffix)
    {
        var max = Math.Min(completion.Length, suffix.Length);
        for (var k = max; k >= 1; k--)
        {
            if (!completion.AsSpan(completion.Length - k).SequenceEqual(suffix.AsSpan(0, k)))
            {
                continue;
            }

            if (IsClosingPunctuation(suffix.AsSpan(0, k)) || TextLines.IsBlank(TextLines.RestOfLine(suffix.AsSpan(k))))
            {
                return completion[..^k];
            }
        }

        return completion;
    }

    private static bool IsClosingPunctuation(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not (')' or ']' or '}' or '"' or '\'' or '`' or ';' or ',' or ' ' or '>'))
            {
                return false;
            }
        }

        return true;
    }
}
