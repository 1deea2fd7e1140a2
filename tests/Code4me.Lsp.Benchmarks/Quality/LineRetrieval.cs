namespace Code4me.Lsp.Benchmarks.Quality;

/// <summary>
/// The "repeat the most similar line" baseline. Mid-line: among the workspace's lines and the lines above the caret
/// that extend what the caret's line holds (indentation aside), the one whose previous line shares the longest prefix
/// with the caret's previous line (nearest above first, then the workspace), and offer its rest. At the start of a
/// line: the line after the line with the longest common prefix with the previous line.
/// </summary>
internal sealed class LineRetrieval
{
    private const int MaxScanned = 4096;
    private readonly (string Line, string Previous, string Next)[] _sorted;
    private readonly (string Line, string Previous, string Next)[] _byPrevious;

    public LineRetrieval(IEnumerable<string> workspaceTexts)
    {
        var entries = workspaceTexts.SelectMany(Entries).ToArray();
        _sorted = [.. entries.OrderBy(e => e.Line, StringComparer.Ordinal)];
        _byPrevious = [.. entries.OrderBy(e => e.Previous, StringComparer.Ordinal)];
    }

    /// <summary>The baseline's suggestion at the end of <paramref name="prefix"/> (the document up to the caret).</summary>
    public string Suggest(string prefix)
    {
        var lineStart = prefix.LastIndexOf('\n') + 1;
        var typed = prefix[lineStart..].TrimStart();
        var above = Entries(prefix[..lineStart]).ToList();
        var previous = above.Count > 0 ? above[^1].Line : "";
        if (typed.Length == 0)
        {
            return FollowingLine(previous, above);
        }

        string? best = null;
        var bestScore = -1;
        for (var i = above.Count - 1; i >= 0; i--)
        {
            Consider(above[i], typed, previous, ref best, ref bestScore);
        }

        var from = LowerBound(_sorted, typed, e => e.Line);
        for (var i = from; i < _sorted.Length && i < from + MaxScanned && _sorted[i].Line.StartsWith(typed, StringComparison.Ordinal); i++)
        {
            Consider(_sorted[i], typed, previous, ref best, ref bestScore);
        }

        return best is null ? "" : best[typed.Length..];
    }

    private static void Consider((string Line, string Previous, string Next) entry, string typed, string previous, ref string? best, ref int bestScore)
    {
        if (entry.Line.Length <= typed.Length || !entry.Line.StartsWith(typed, StringComparison.Ordinal))
        {
            return;
        }

        var score = entry.Previous.AsSpan().CommonPrefixLength(previous);
        if (score > bestScore)
        {
            bestScore = score;
            best = entry.Line;
        }
    }

    private string FollowingLine(string previous, List<(string Line, string Previous, string Next)> above)
    {
        if (previous.Length == 0)
        {
            return "";
        }

        string best = "";
        var bestScore = 0;
        for (var i = above.Count - 2; i >= 0; i--)
        {
            var score = above[i].Line.AsSpan().CommonPrefixLength(previous);
            if (score > bestScore)
            {
                bestScore = score;
                best = above[i + 1].Line;
            }
        }

        // The workspace's nearest neighbours in sorted order share the longest prefix with the previous line.
        var at = LowerBound(_byPrevious, previous, e => e.Previous);
        for (var i = Math.Max(0, at - 1); i < Math.Min(_byPrevious.Length, at + 1); i++)
        {
            var score = _byPrevious[i].Previous.AsSpan().CommonPrefixLength(previous);
            if (score > bestScore && _byPrevious[i].Line.Length > 0)
            {
                bestScore = score;
                best = _byPrevious[i].Line;
            }
        }

        return best;
    }

    private static int LowerBound((string Line, string Previous, string Next)[] sorted, string value, Func<(string Line, string Previous, string Next), string> key)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(key(sorted[mid]), value) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    // Non-blank lines, indentation trimmed, each with the non-blank line before and after it.
    private static IEnumerable<(string Line, string Previous, string Next)> Entries(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        for (var i = 0; i < lines.Length; i++)
        {
            yield return (lines[i], i > 0 ? lines[i - 1] : "", i + 1 < lines.Length ? lines[i + 1] : "");
        }
    }
}
