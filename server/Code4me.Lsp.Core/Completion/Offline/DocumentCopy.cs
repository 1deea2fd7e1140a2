using System.Runtime.InteropServices;

namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>
/// The copy component of the offline model: where the tokens just before the caret occurred earlier in the same
/// document (above the caret's line, or below it), what came next there. The longest such match decides; every place
/// that matches that long votes for its next token. Matches are extended token by token as the decoder emits, and
/// searched again only when none survives. The caret's own line from the caret on is never a source. Snippets retrieved
/// from the workspace (<see cref="LineIndex"/>) are sources too, matched the same way. Not thread-safe: one decode at a
/// time under the language model's lock.
/// </summary>
internal sealed class DocumentCopy
{
    /// <summary>Longest match, in tokens, that still counts as longer.</summary>
    public const int MaxMatch = 32;

    private const int MaxOccurrences = 1024;
    private const int LocalWindow = 8192;

    private readonly List<(int Next, int Length, int Segment)> _matches = [];
    private readonly Dictionary<int, int> _votes = [];
    // A snippet's LineBreak is the index of the line break before its line and Shared the tokens its previous line
    // shares (from its start) with the caret's previous line: a match that reaches back over that line break counts
    // them as matched, so a line that follows a similar line weighs by how similar the lines are. -1 and 0 for the document.
    private readonly List<(List<int> Source, int Start, int End, int LineBreak, int Shared)> _segments = [];
    private List<int> _document = [];
    private int _documentEnd;

    /// <summary>Length of the current longest match (0: none).</summary>
    public int MatchLength { get; private set; }

    /// <summary>Places matching <see cref="MatchLength"/> tokens.</summary>
    public int Votes { get; private set; }

    /// <summary>
    /// Starts a decode: <paramref name="ids"/> are the document's tokens, of which the range [<paramref name="excludeFrom"/>,
    /// <paramref name="excludeTo"/>) is the caret's line from the caret on; <paramref name="history"/> ends just before the caret.
    /// </summary>
    public void Reset(List<int>? ids, int excludeFrom, int excludeTo, List<int> snippets, List<(int Start, int End, int LineBreak, int Shared)> snippetRanges, ReadOnlySpan<int> history)
    {
        _segments.Clear();
        foreach (var (start, end, lineBreak, shared) in snippetRanges)
        {
            _segments.Add((snippets, start, end, lineBreak, shared));
        }

        _document = ids ?? [];
        _documentEnd = ids is null ? 0 : excludeFrom;
        if (ids is not null)
        {
            _segments.Add((ids, 0, excludeFrom, -1, 0));
            if (excludeTo < ids.Count)
            {
                _segments.Add((ids, excludeTo, ids.Count, -1, 0));
            }
        }

        Search(history);
    }

    /// <summary>Empties the component (no document).</summary>
    public void Clear()
    {
        _document = [];
        _documentEnd = 0;
        _segments.Clear();
        _matches.Clear();
        _votes.Clear();
        MatchLength = 0;
        Votes = 0;
    }

    /// <summary>Next-token votes of the longest matches (token → places).</summary>
    public IReadOnlyDictionary<int, int> NextVotes => _votes;

    /// <summary>The copy probability of <paramref name="token"/>.</summary>
    public double Probability(int token) => Votes == 0 ? 0 : (double)_votes.GetValueOrDefault(token) / Votes;

    /// <summary>Follows the emitted <paramref name="token"/>; searches again from <paramref name="history"/> (which ends with it) when no match survives.</summary>
    public void Advance(int token, ReadOnlySpan<int> history)
    {
        var kept = 0;
        for (var m = 0; m < _matches.Count; m++)
        {
            var (next, length, segment) = _matches[m];
            var (source, _, end, _, _) = _segments[segment];
            if (source[next] == token && next + 1 < end)
            {
                _matches[kept++] = (next + 1, Math.Min(MaxMatch, length + 1), segment);
            }
        }

        _matches.RemoveRange(kept, _matches.Count - kept);
        if (_matches.Count == 0)
        {
            Search(history);
        }
        else
        {
            MatchLength = Math.Min(MaxMatch, MatchLength + 1);
            Tally();
        }
    }

    /// <summary>
    /// Occurrences of each of <paramref name="candidates"/> in the <see cref="LocalWindow"/> tokens before the caret
    /// (identifiers in scope, for completing a word).
    /// </summary>
    public void CountNearby(HashSet<int> candidates, Dictionary<int, int> counts)
    {
        counts.Clear();
        if (candidates.Count == 0)
        {
            return;
        }

        var ids = CollectionsMarshal.AsSpan(_document);
        var end = _documentEnd;
        for (var q = Math.Max(0, end - LocalWindow); q < end; q++)
        {
            if (candidates.Contains(ids[q]))
            {
                counts[ids[q]] = counts.GetValueOrDefault(ids[q]) + 1;
            }
        }
    }

    private void Search(ReadOnlySpan<int> history)
    {
        _matches.Clear();
        MatchLength = 0;
        if (history.IsEmpty)
        {
            Tally();
            return;
        }

        var last = history[^1];
        var examined = 0;
        for (var s = 0; s < _segments.Count; s++)
        {
            var (source, start, end, lineBreak, shared) = _segments[s];
            var ids = CollectionsMarshal.AsSpan(source);

            // q is the position of the history's last token; q + 1 the token that came next. Nearest first.
            var q = end - 1;
            while (q > start && examined < MaxOccurrences)
            {
                q = ids[start..q].LastIndexOf(last);
                if (q < 0)
                {
                    break;
                }

                q += start;
                examined++;
                var length = 1;
                while (length < MaxMatch && length < history.Length && q - length >= start && ids[q - length] == history[^(length + 1)])
                {
                    length++;
                }

                if (lineBreak >= 0 && q - length < lineBreak)
                {
                    length = Math.Min(MaxMatch, Math.Max(length, q - lineBreak + 1 + shared));
                }

                if (length > MatchLength)
                {
                    MatchLength = length;
                    _matches.Clear();
                }

                if (length == MatchLength)
                {
                    _matches.Add((q + 1, length, s));
                }
            }
        }

        Tally();
    }

    private void Tally()
    {
        _votes.Clear();
        Votes = 0;
        foreach (var (next, _, segment) in _matches)
        {
            var token = _segments[segment].Source[next];
            if (token != Vocabulary.Unknown)
            {
                _votes[token] = _votes.GetValueOrDefault(token) + 1;
                Votes++;
            }
        }
    }
}
