namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// Accepted-and-retained characters: the length of the longest common subsequence (UTF-16 code units,
/// case-sensitive) of the accepted text and the current text of its followed region. Characters the user kept
/// count even if text was typed between them; edited or deleted ones do not; it never exceeds the accepted length.
/// </summary>
/// <remarks>The region's text is cut to <see cref="MaxCells"/> / accepted length units (so the table stays
/// bounded); past that a region has been rewritten so much that its tail cannot add much retained text.</remarks>
public static class RetentionMeasure
{
    /// <summary>Upper bound on the LCS table (accepted × region) computed per measurement.</summary>
    public const int MaxCells = 4_000_000;

    public static int RetainedCharacters(string accepted, string region)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        ArgumentNullException.ThrowIfNull(region);
        if (accepted.Length == 0 || region.Length == 0)
        {
            return 0;
        }

        if (accepted == region)
        {
            return accepted.Length;
        }

        var regionLength = Math.Min(region.Length, Math.Max(1, MaxCells / accepted.Length));
        var previous = new int[regionLength + 1];
        var row = new int[regionLength + 1];
        for (var i = 1; i <= accepted.Length; i++)
        {
            var a = accepted[i - 1];
            for (var j = 1; j <= regionLength; j++)
            {
                row[j] = a == region[j - 1] ? previous[j - 1] + 1 : Math.Max(previous[j], row[j - 1]);
            }

            (previous, row) = (row, previous);
        }

        return previous[regionLength];
    }
}
