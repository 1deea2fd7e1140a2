namespace Code4me.Lsp.Core.Completion.PostProcessing;

/// <summary>Small helpers about the caret's line.</summary>
internal static class TextLines
{
    /// <summary>The suffix up to (not including) its first line break.</summary>
    public static ReadOnlySpan<char> RestOfLine(ReadOnlySpan<char> suffix)
    {
        var end = suffix.IndexOfAny('\n', '\r');
        return end < 0 ? suffix : suffix[..end];
    }

    /// <summary>The prefix after its last line break.</summary>
    public static ReadOnlySpan<char> CurrentLinePrefix(ReadOnlySpan<char> prefix)
    {
        var start = prefix.LastIndexOf('\n');
        return start < 0 ? prefix : prefix[(start + 1)..];
    }

    public static bool IsBlank(ReadOnlySpan<char> text) => text.IsWhiteSpace();
}
