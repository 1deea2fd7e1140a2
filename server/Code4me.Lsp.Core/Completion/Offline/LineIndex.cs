namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>
/// The workspace's lines of one language, indentation trimmed, for retrieval: which lines extend what the caret's line
/// holds, and which lines follow a given line. Each distinct line keeps how often it occurred and one line before it.
/// Bounded by <see cref="MaxLines"/> distinct lines; lines longer than <see cref="MaxLineLength"/> are not kept. Not
/// thread-safe: the owner locks it with the language model.
/// </summary>
internal sealed class LineIndex
{
    public const int MaxLines = 200_000;
    public const int MaxLineLength = 200;
    private const int MaxScanned = 256;
    private const int MinSharedPrefix = 4;

    private readonly SortedSet<string> _sorted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Count, string Previous)> _lines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Next, int Count)> _following = new(StringComparer.Ordinal);
    private long _chars;

    public int Count => _lines.Count;

    public long ApproximateBytes => (_lines.Count * 140L) + (_following.Count * 60L) + (2 * _chars);

    /// <summary>Adds every line of <paramref name="text"/>.</summary>
    public void Add(string text)
    {
        var previous = "";
        var previousIndent = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var trimmed = raw.Trim();
            var indent = raw.Length - raw.TrimStart().Length;
            if (trimmed.IsEmpty || trimmed.Length > MaxLineLength)
            {
                continue;
            }

            var line = trimmed.ToString();
            if (_lines.TryGetValue(line, out var known))
            {
                line = _sorted.TryGetValue(line, out var shared) ? shared : line;
                _lines[line] = (known.Count + 1, known.Previous);
            }
            else if (_lines.Count < MaxLines)
            {
                _lines.Add(line, (1, previous));
                _sorted.Add(line);
                _chars += line.Length;
            }

            if (previous.Length > 0 && _lines.ContainsKey(line))
            {
                var key = FollowingKey(previous, Math.Sign(indent - previousIndent));
                ref var next = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_following, key, out var exists);
                _chars += exists ? 0 : key.Length;
                if (!exists || next.Next == line)
                {
                    next = (line, next.Count + 1);
                }
                else if (--next.Count <= 0)
                {
                    next = (line, 1); // majority vote: the most frequent follower survives
                }
            }

            previous = _lines.ContainsKey(line) ? line : "";
            previousIndent = indent;
        }
    }

    // Followers are kept per indentation step (the next line indented further, the same, or less), which the caret's
    // indentation at a line start already tells.
    private static string FollowingKey(string previous, int indentStep) => string.Concat(previous, indentStep switch { < 0 => "\u0001<", 0 => "\u0001=", _ => "\u0001>" });

    /// <summary>
    /// The line that most often follows <paramref name="previous"/> (trimmed) one indentation step away (the sign of
    /// its indentation less the previous line's), or, when no line is that one, the line after the indexed line sharing
    /// the longest prefix with it (at least <see cref="MinSharedPrefix"/> characters), with the line it follows; null
    /// when there is none.
    /// </summary>
    public (string Line, string Previous)? Following(string previous, int indentStep)
    {
        if (previous.Length == 0)
        {
            return null;
        }

        if (_following.TryGetValue(FollowingKey(previous, indentStep), out var next))
        {
            return (next.Next, previous);
        }

        if (_sorted.Count == 0)
        {
            return null;
        }

        string? best = null;
        var shared = MinSharedPrefix - 1;
        // The lines just above and just below `previous` in order; a view past either end of the set does not exist.
        var above = string.CompareOrdinal(previous, _sorted.Max) <= 0 ? _sorted.GetViewBetween(previous, _sorted.Max!).Min : null;
        var below = string.CompareOrdinal(_sorted.Min, previous) <= 0 ? _sorted.GetViewBetween(_sorted.Min!, previous).Max : null;
        foreach (var neighbour in new[] { above, below })
        {
            var n = neighbour is null ? 0 : neighbour.AsSpan().CommonPrefixLength(previous);
            if (n > shared && _following.ContainsKey(FollowingKey(neighbour!, indentStep)))
            {
                shared = n;
                best = neighbour;
            }
        }

        return best is null ? null : (_following[FollowingKey(best, indentStep)].Next, best);
    }

    /// <summary>
    /// Up to <paramref name="most"/> lines longer than <paramref name="typed"/> that start with it, each with the line
    /// before it: those whose previous line shares the longest prefix with <paramref name="previous"/> first, then the most frequent.
    /// </summary>
    public void Extending(string typed, string previous, int most, List<(string Line, string Previous)> found)
    {
        found.Clear();
        if (typed.Length == 0 || _sorted.Count == 0)
        {
            return;
        }

        var ranked = new List<(string Line, string Previous, int Shared, int Count)>();
        var scanned = 0;
        foreach (var line in _sorted.GetViewBetween(typed, typed + '\uffff'))
        {
            if (++scanned > MaxScanned)
            {
                break;
            }

            if (line.Length > typed.Length && line.StartsWith(typed, StringComparison.Ordinal))
            {
                var info = _lines[line];
                ranked.Add((line, info.Previous, info.Previous.AsSpan().CommonPrefixLength(previous), info.Count));
            }
        }

        foreach (var r in ranked.OrderByDescending(r => r.Shared).ThenByDescending(r => r.Count).Take(most))
        {
            found.Add((r.Line, r.Previous));
        }
    }
}
