using System.Runtime.InteropServices;

namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>
/// A token n-gram model of one language: interpolated Kneser-Ney count tables (<see cref="GramTables"/>) trained by
/// count deltas as documents change, and greedy decoding (<see cref="NGramDecoder"/>) helped by line retrieval
/// (<see cref="SnippetRetrieval"/>). Not thread-safe: the owner (<see cref="OfflineCodeModel"/>) locks it.
/// </summary>
internal sealed class NGramModel
{
    private readonly GramTables _tables;
    private readonly NGramDecoder _decoder;

    // Scratch space for the single thread that holds the lock.
    private readonly List<(int Start, int Length)> _spans = [];
    private readonly List<int> _ids = [];

    public NGramModel(int order, double discount)
    {
        _tables = new GramTables(Math.Clamp(order, 2, 8), Math.Clamp(discount, 0.05, 0.95), Vocabulary);
        _decoder = new NGramDecoder(_tables, Vocabulary, Lines);
    }

    public Vocabulary Vocabulary { get; } = new();

    /// <summary>The workspace's lines, for retrieval (filled by the owner from indexed files).</summary>
    public LineIndex Lines { get; } = new();

    public int Order => _tables.Order;

    /// <summary>Stored n-gram plus context entries.</summary>
    public long Entries => _tables.Entries;

    /// <summary>Rough bytes held by the count tables and vocabulary.</summary>
    public long ApproximateBytes => _tables.ApproximateBytes + (Vocabulary.RealCount * 64L) + (2 * Vocabulary.Characters);

    // ---------------------------------------------------------------- training

    /// <summary>Counts a whole new document.</summary>
    public void AddDocument(TrackedDocument document, string text)
    {
        AdoptDocument(document, text);
        _tables.AddPositions(document.Ids, 0, document.Ids.Count);
    }

    /// <summary>Tokenizes a document without counting it (its counts are already in the tables).</summary>
    public void AdoptDocument(TrackedDocument document, string text)
    {
        document.Text = text;
        document.Ids.Clear();
        document.Starts.Clear();
        _spans.Clear();
        CodeTokenizer.Tokenize(text, 0, _spans);
        foreach (var (start, length) in _spans)
        {
            document.Ids.Add(Vocabulary.GetOrAdd(text.AsSpan(start, length)));
            document.Starts.Add(start);
        }
    }

    /// <summary>Removes every count a document contributed.</summary>
    public void RemoveDocument(TrackedDocument document)
    {
        _tables.RemovePositions(document.Ids, 0, document.Ids.Count);
        document.Ids.Clear();
        document.Starts.Clear();
        document.Text = "";
    }

    /// <summary>
    /// Applies a new version of a document: retokenizes from the last safe token boundary before the
    /// first changed character until the tokenization meets the old one again, removes the n-grams that
    /// touched the old tokens and adds those touching the new ones. Returns the number of tokens retokenized.
    /// </summary>
    public int UpdateDocument(TrackedDocument document, string text)
    {
        var old = document.Text;
        if (string.Equals(old, text, StringComparison.Ordinal))
        {
            return 0;
        }

        var p = old.AsSpan().CommonPrefixLength(text);
        var s = CommonSuffixLength(old.AsSpan(p), text.AsSpan(p));
        var delta = text.Length - old.Length;
        var newChangeEnd = text.Length - s;
        var starts = document.Starts;
        var ids = document.Ids;

        var i = starts.Count == 0 ? 0 : Math.Max(0, UpperBound(starts, Math.Max(0, p - CodeTokenizer.MaxLookBehind)) - 1);
        var position = starts.Count == 0 ? 0 : starts[i];
        var m = ids.Count;
        _spans.Clear();
        while (position < text.Length)
        {
            if (position >= newChangeEnd)
            {
                var at = starts.BinarySearch(i, starts.Count - i, position - delta, null);
                if (at >= 0)
                {
                    m = at;
                    break;
                }
            }

            var length = CodeTokenizer.TokenLength(text, position);
            _spans.Add((position, length));
            position += length;
        }

        _tables.RemovePositions(ids, i, Math.Min(m + Order - 1, ids.Count));

        _ids.Clear();
        foreach (var (start, length) in _spans)
        {
            _ids.Add(Vocabulary.GetOrAdd(text.AsSpan(start, length)));
        }

        ids.RemoveRange(i, m - i);
        ids.InsertRange(i, CollectionsMarshal.AsSpan(_ids));
        starts.RemoveRange(i, m - i);
        var newStarts = new int[_spans.Count];
        for (var j = 0; j < newStarts.Length; j++)
        {
            newStarts[j] = _spans[j].Start;
        }

        starts.InsertRange(i, newStarts);
        if (delta != 0)
        {
            var tail = CollectionsMarshal.AsSpan(starts)[(i + newStarts.Length)..];
            for (var j = 0; j < tail.Length; j++)
            {
                tail[j] += delta;
            }
        }

        _tables.AddPositions(ids, i, Math.Min(i + _spans.Count + Order - 1, ids.Count));
        document.Text = text;
        return _spans.Count;
    }

    /// <summary>Drops the rarest highest-order n-grams (count ≤ <paramref name="maxCount"/>), cascading to lower orders.</summary>
    public int Prune(int maxCount) => _tables.Prune(maxCount);

    // ---------------------------------------------------------------- probabilities

    /// <summary>P(word | the tokens of <paramref name="history"/>), for tests and tools.</summary>
    public double Probability(ReadOnlySpan<int> history, int word)
    {
        _tables.Load(history);
        return _tables.Probability(word);
    }

    /// <summary>P(unknown token | history).</summary>
    public double UnknownProbability(ReadOnlySpan<int> history) => Probability(history, Vocabulary.Unknown);

    // ---------------------------------------------------------------- decoding

    /// <summary>Removes, until <see cref="Restore"/>, what tokens [<paramref name="from"/>, <paramref name="to"/>) of a document taught the tables.</summary>
    public void Exclude(TrackedDocument document, int from, int to)
        => _tables.RemovePositions(document.Ids, from, Math.Min(to + Order - 1, document.Ids.Count));

    /// <summary>Counts again what <see cref="Exclude"/> removed.</summary>
    public void Restore(TrackedDocument document, int from, int to)
        => _tables.AddPositions(document.Ids, from, Math.Min(to + Order - 1, document.Ids.Count));

    /// <inheritdoc cref="NGramDecoder.Generate"/>
    public RawGeneration Generate(ReadOnlySpan<char> prefix, int maxPrefixChars, in DecodeSettings settings, List<int>? document, int excludeFrom, int excludeTo, out double confidence)
        => _decoder.Generate(prefix, maxPrefixChars, settings, document, excludeFrom, excludeTo, out confidence);

    private static int UpperBound(List<int> sorted, int value)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
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

    private static int CommonSuffixLength(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        const int Block = 64;
        var max = Math.Min(a.Length, b.Length);
        var s = 0;
        while (s + Block <= max && a[(a.Length - s - Block)..(a.Length - s)].SequenceEqual(b[(b.Length - s - Block)..(b.Length - s)]))
        {
            s += Block;
        }

        while (s < max && a[a.Length - s - 1] == b[b.Length - s - 1])
        {
            s++;
        }

        return s;
    }
}
