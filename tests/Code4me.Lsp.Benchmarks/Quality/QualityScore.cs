namespace Code4me.Lsp.Benchmarks.Quality;

/// <summary>How the first line of one suggestion compares with what the user typed next (the rest of the caret's line).</summary>
internal readonly record struct QualityScore(bool Offered, bool Exact, double EditSimilarity, int AcceptedChars, bool FirstCharsRight)
{
    /// <summary>Characters compared for <see cref="FirstCharsRight"/>.</summary>
    public const int FirstChars = 3;

    /// <summary>Scores <paramref name="suggestion"/> (its first line) against <paramref name="truth"/> (the rest of the line).</summary>
    public static QualityScore Of(string suggestion, string truth)
    {
        var line = FirstLine(suggestion).TrimEnd();
        truth = truth.TrimEnd();
        var offered = line.Length > 0;
        var accepted = line.AsSpan().CommonPrefixLength(truth);
        var need = Math.Min(FirstChars, truth.Length);
        return new QualityScore(offered, offered && line == truth, EditSimilarityOf(line, truth), accepted, offered && accepted >= need);
    }

    /// <summary>1 − Levenshtein distance / longer length (1 for two empty strings).</summary>
    public static double EditSimilarityOf(string a, string b)
    {
        if (a.Length == 0 && b.Length == 0)
        {
            return 1;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return 1 - ((double)previous[b.Length] / Math.Max(a.Length, b.Length));
    }

    private static string FirstLine(string text)
    {
        var end = text.AsSpan().IndexOfAny('\n', '\r');
        return end < 0 ? text : text[..end];
    }
}
