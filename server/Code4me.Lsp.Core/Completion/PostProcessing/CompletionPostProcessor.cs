namespace Code4me.Lsp.Core.Completion.PostProcessing;

/// <summary>The post-processing pipeline every model's output goes through.</summary>
public static class CompletionPostProcessor
{
    /// <summary>
    /// Stop sequences → first line only (single-line mode) → suffix overlap → bracket balance →
    /// trailing whitespace.
    /// </summary>
    public static string Process(string raw, string prefix, string suffix, bool multiLine, IEnumerable<string> stops)
    {
        var text = StopSequences.Truncate(raw, stops);
        if (!multiLine)
        {
            text = LineMode.FirstLine(text);
        }

        text = SuffixOverlap.Remove(text, suffix);
        text = BracketBalance.Balance(text, prefix, suffix, multiLine);
        return TrailingWhitespace.Trim(text, suffix);
    }
}
