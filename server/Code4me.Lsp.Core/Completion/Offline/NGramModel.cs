using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>
/// A token n-gram model of one language with interpolated Kneser-Ney smoothing, trained by count
/// deltas. Not thread-safe: the owner (<see cref="OfflineCodeModel"/>) locks it.
/// </summary>
/// <remarks>
/// <para>Order k tables hold raw counts for the highest order and continuation counts (the number of
/// distinct tokens seen before the n-gram) below it, so that an (n-1)-gram's count changes exactly
/// when an n-gram appears for the first time or disappears.</para>
/// <para>P_k(w | h) = max(c_k(h w) − D, 0) / S_k(h) + D · N_k(h) / S_k(h) · P_{k−1}(w | h'),
/// with S the sum and N the number of distinct continuations of h, h' = h without its oldest token,
/// and P_0 uniform over the vocabulary plus one unknown token. A context never seen passes the
/// lower order through. The distribution sums to 1 over the vocabulary and the unknown token.</para>
/// <para>N-grams are keyed by a 64-bit hash of their token ids; a collision (odds ~1e-7 at millions of
/// entries) merges two counts and is tolerated.</para>
/// </remarks>
internal sealed class NGramModel
{
    private const ulong Seed = 0x243F6A8885A308D3UL;
    private const int MaxCandidatesPerLevel = 256;
    private const int EnoughCandidates = 16;
    private const int MaxPrefixCandidates = 4096;

    private readonly int _order;
    private readonly double _discount;
    private readonly Dictionary<ulong, GramEntry>[] _grams;
    private readonly Dictionary<ulong, ContextEntry>[] _contexts;

    // Scratch space for the single thread that holds the lock.
    private readonly List<(int Start, int Length)> _spans = [];
    private readonly List<int> _ids = [];
    private readonly List<int> _history = [];
    private readonly List<int> _candidates = [];
    private readonly HashSet<int> _seen = [];
    private readonly StringBuilder _text = new();
    private readonly List<double> _logprobs = [];
    private readonly ContextEntry?[] _entries;
    private readonly ulong[] _hashes;

    public NGramModel(int order, double discount)
    {
        _order = Math.Clamp(order, 2, 8);
        _discount = Math.Clamp(discount, 0.05, 0.95);
        _grams = new Dictionary<ulong, GramEntry>[_order];
        _contexts = new Dictionary<ulong, ContextEntry>[_order];
        for (var k = 0; k < _order; k++)
        {
            _grams[k] = [];
            _contexts[k] = [];
        }

        _entries = new ContextEntry?[_order];
        _hashes = new ulong[_order];
    }

    public Vocabulary Vocabulary { get; } = new();

    public int Order => _order;

    /// <summary>Stored n-gram plus context entries.</summary>
    public long Entries
    {
        get
        {
            long n = 0;
            for (var k = 0; k < _order; k++)
            {
                n += _grams[k].Count + _contexts[k].Count;
            }

            return n;
        }
    }

    /// <summary>Rough bytes held by the count tables and vocabulary.</summary>
    public long ApproximateBytes
    {
        get
        {
            long bytes = 0;
            for (var k = 0; k < _order; k++)
            {
                bytes += _grams[k].Count * 48L;
                foreach (var entry in _contexts[k].Values)
                {
                    bytes += 72L + (4L * entry.Next.Length);
                }
            }

            return bytes + (Vocabulary.RealCount * 64L) + (2 * Vocabulary.Characters);
        }
    }

    // ---------------------------------------------------------------- training

    /// <summary>Counts a whole new document.</summary>
    public void AddDocument(TrackedDocument document, string text)
    {
        AdoptDocument(document, text);
        AddPositions(document.Ids, 0, document.Ids.Count);
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
        RemovePositions(document.Ids, 0, document.Ids.Count);
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

        RemovePositions(ids, i, Math.Min(m + _order - 1, ids.Count));

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

        AddPositions(ids, i, Math.Min(i + _spans.Count + _order - 1, ids.Count));
        document.Text = text;
        return _spans.Count;
    }

    /// <summary>Drops the rarest highest-order n-grams (count ≤ <paramref name="maxCount"/>), cascading to lower orders.</summary>
    public int Prune(int maxCount)
    {
        var top = _grams[_order - 1];
        var victims = new List<ulong>();
        foreach (var (key, entry) in top)
        {
            if (entry.Count <= maxCount)
            {
                victims.Add(key);
            }
        }

        foreach (var key in victims)
        {
            Remove(key, _order, int.MaxValue);
        }

        return victims.Count;
    }

    private void AddPositions(List<int> ids, int from, int to)
    {
        var all = CollectionsMarshal.AsSpan(ids);
        for (var e = from; e < to; e++)
        {
            Hash(all[..e], _hashes);
            Add(_hashes, all[e], _order);
        }
    }

    private void RemovePositions(List<int> ids, int from, int to)
    {
        var all = CollectionsMarshal.AsSpan(ids);
        for (var e = from; e < to; e++)
        {
            Hash(all[..e], _hashes);
            Remove(GramKey(_hashes[_order - 1], all[e]), _order, 1);
        }
    }

    private void Add(ReadOnlySpan<ulong> context, int word, int k)
    {
        var key = GramKey(context[k - 1], word);
        ref var gram = ref CollectionsMarshal.GetValueRefOrAddDefault(_grams[k - 1], key, out var exists);
        if (!exists)
        {
            gram.Word = word;
            gram.Context = context[k - 1];
            gram.LowerContext = k > 1 ? context[k - 2] : 0;
        }

        gram.Count++;
        var first = gram.Count == 1;
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_contexts[k - 1], context[k - 1], out _);
        entry ??= new ContextEntry();
        entry.Sum++;
        if (first)
        {
            entry.AddNext(word);
            if (k > 1)
            {
                Add(context, word, k - 1);
            }
        }
    }

    private void Remove(ulong key, int k, int amount)
    {
        ref var gram = ref CollectionsMarshal.GetValueRefOrNullRef(_grams[k - 1], key);
        if (Unsafe.IsNullRef(ref gram))
        {
            return; // pruned earlier: nothing to take back
        }

        var taken = Math.Min(amount, gram.Count);
        gram.Count -= taken;
        var copy = gram;
        _contexts[k - 1].TryGetValue(copy.Context, out var entry);
        if (entry is not null)
        {
            entry.Sum -= taken;
        }

        if (copy.Count > 0)
        {
            return;
        }

        _grams[k - 1].Remove(key);
        if (entry is not null)
        {
            entry.RemoveNext(copy.Word);
            if (entry.Count == 0)
            {
                _contexts[k - 1].Remove(copy.Context);
            }
        }

        if (k > 1)
        {
            Remove(GramKey(copy.LowerContext, copy.Word), k - 1, 1);
        }
    }

    // ---------------------------------------------------------------- probabilities

    /// <summary>P(word | the tokens of <paramref name="history"/>), for tests and tools.</summary>
    public double Probability(ReadOnlySpan<int> history, int word)
    {
        Hash(history, _hashes);
        LoadEntries();
        return Probability(word);
    }

    /// <summary>P(unknown token | history).</summary>
    public double UnknownProbability(ReadOnlySpan<int> history) => Probability(history, Vocabulary.Unknown);

    private double Probability(int word)
    {
        var p = 1.0 / (Vocabulary.RealCount + 1);
        for (var k = 1; k <= _order; k++)
        {
            var entry = _entries[k - 1];
            if (entry is null || entry.Sum <= 0)
            {
                continue;
            }

            var c = _grams[k - 1].TryGetValue(GramKey(_hashes[k - 1], word), out var gram) ? gram.Count : 0;
            p = (Math.Max(c - _discount, 0) + (_discount * entry.Count * p)) / entry.Sum;
        }

        return p;
    }

    private void LoadEntries()
    {
        for (var k = 0; k < _order; k++)
        {
            _contexts[k].TryGetValue(_hashes[k], out _entries[k]);
        }
    }

    // ---------------------------------------------------------------- decoding

    /// <summary>
    /// Greedy decoding after <paramref name="prefix"/> (only its tail is read). Returns the text and the
    /// natural-log probability of each emitted token. When the prefix ends inside a word, the first token
    /// must extend that word; its probability is conditioned on doing so, and the probability that the
    /// word was already complete is folded into the first emitted token.
    /// </summary>
    public RawGeneration Generate(ReadOnlySpan<char> prefix, int maxPrefixChars, in DecodeSettings settings)
    {
        var windowStart = 0;
        if (prefix.Length > maxPrefixChars)
        {
            windowStart = prefix.Length - maxPrefixChars;
            var newline = prefix[windowStart..].IndexOf('\n');
            windowStart = newline < 0 ? windowStart : windowStart + newline;
            if (windowStart > 0 && prefix[windowStart - 1] == '\r')
            {
                windowStart--;
            }
        }

        var window = prefix[windowStart..];
        _spans.Clear();
        CodeTokenizer.Tokenize(window, 0, _spans);
        _history.Clear();
        if (windowStart == 0)
        {
            for (var j = 1; j < _order; j++)
            {
                _history.Add(Vocabulary.BeginOfDocument);
            }
        }

        var partial = ReadOnlySpan<char>.Empty;
        var count = _spans.Count;
        if (count > 0)
        {
            var last = window.Slice(_spans[count - 1].Start, _spans[count - 1].Length);
            if (CodeTokenizer.IsWordToken(last))
            {
                partial = last;
                count--;
            }
        }

        for (var j = Math.Max(0, count - _order + 1); j < count; j++)
        {
            _history.Add(Vocabulary.Find(window.Slice(_spans[j].Start, _spans[j].Length)));
        }

        var blockIndent = -1;
        if (settings.MultiLine && count > 0 && partial.IsEmpty)
        {
            var last = window.Slice(_spans[count - 1].Start, _spans[count - 1].Length);
            if (CodeTokenizer.IsNewline(last))
            {
                blockIndent = CodeTokenizer.IndentOf(last);
            }
        }

        _text.Clear();
        _logprobs.Clear();
        var carry = 0.0;
        if (!partial.IsEmpty)
        {
            if (!ExtendPartial(partial, settings.MinTokenProbability, ref carry))
            {
                return new RawGeneration("", []);
            }
        }

        var lines = 0;
        var previousWasNewline = false;
        while (_logprobs.Count < settings.MaxTokens)
        {
            Hash(CollectionsMarshal.AsSpan(_history), _hashes);
            LoadEntries();
            GatherCandidates();
            if (_candidates.Count == 0)
            {
                break;
            }

            var best = -1;
            var bestP = 0.0;
            foreach (var w in _candidates)
            {
                var pw = Probability(w);
                if (pw > bestP)
                {
                    bestP = pw;
                    best = w;
                }
            }

            if (bestP < settings.MinTokenProbability)
            {
                break;
            }

            var token = Vocabulary.TextOf(best);
            if (CodeTokenizer.IsNewline(token))
            {
                var indent = CodeTokenizer.IndentOf(token);
                if (!settings.MultiLine || previousWasNewline || lines + 1 >= settings.MaxLines || (blockIndent >= 0 && indent < blockIndent))
                {
                    break;
                }

                if (blockIndent < 0)
                {
                    blockIndent = indent;
                }

                lines++;
                previousWasNewline = true;
            }
            else
            {
                previousWasNewline = false;
            }

            _text.Append(token);
            _logprobs.Add(Math.Log(bestP) + carry);
            carry = 0;
            _history.Add(best);
        }

        // A trailing line break adds nothing the user can see.
        if (previousWasNewline && _logprobs.Count > 0)
        {
            _text.Length -= Vocabulary.TextOf(_history[^1]).Length;
            _logprobs.RemoveAt(_logprobs.Count - 1);
        }

        // The n-gram model has no prompt in the LLM sense (it conditions on the last few tokens): no prompt count.
        return new RawGeneration(_text.ToString(), _logprobs.ToArray(), CompletionTokens: _logprobs.Count);
    }

    private bool ExtendPartial(ReadOnlySpan<char> partial, double minProbability, ref double carry)
    {
        Hash(CollectionsMarshal.AsSpan(_history), _hashes);
        LoadEntries();
        var total = 0.0;
        var best = -1;
        var bestP = 0.0;
        var scanned = 0;
        foreach (var w in Vocabulary.StartingWith(partial[0]))
        {
            if (++scanned > MaxPrefixCandidates)
            {
                break;
            }

            if (!Vocabulary.TextOf(w).AsSpan().StartsWith(partial, StringComparison.Ordinal))
            {
                continue;
            }

            var pw = Probability(w);
            total += pw;
            if (pw > bestP)
            {
                bestP = pw;
                best = w;
            }
        }

        if (best < 0 || bestP / total < minProbability)
        {
            return false;
        }

        var text = Vocabulary.TextOf(best);
        _history.Add(best);
        if (text.Length == partial.Length)
        {
            carry = Math.Log(bestP / total); // the typed word is complete: continue after it
            return true;
        }

        _text.Append(text.AsSpan(partial.Length));
        _logprobs.Add(Math.Log(bestP / total));
        return true;
    }

    private void GatherCandidates()
    {
        _candidates.Clear();
        _seen.Clear();
        for (var k = _order; k >= 2 && _candidates.Count < EnoughCandidates; k--)
        {
            var entry = _entries[k - 1];
            if (entry is null)
            {
                continue;
            }

            var n = Math.Min(entry.Count, MaxCandidatesPerLevel);
            for (var j = 0; j < n; j++)
            {
                if (_seen.Add(entry.Next[j]))
                {
                    _candidates.Add(entry.Next[j]);
                }
            }
        }
    }

    // ---------------------------------------------------------------- hashing

    /// <summary>hashes[j] = hash of the last j tokens of <paramref name="history"/> (begin-of-document padded).</summary>
    private void Hash(ReadOnlySpan<int> history, ulong[] hashes)
    {
        hashes[0] = Seed;
        for (var j = 1; j < _order; j++)
        {
            var token = j <= history.Length ? history[^j] : Vocabulary.BeginOfDocument;
            hashes[j] = Mix(hashes[j - 1], token);
        }
    }

    private static ulong GramKey(ulong context, int word) => Mix(context ^ 0x9E3779B97F4A7C15UL, word);

    private static ulong Mix(ulong hash, int token)
    {
        var x = hash ^ ((ulong)(uint)token * 0xD6E8FEB86659FD93UL);
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return x;
    }

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

    private struct GramEntry
    {
        public int Count;
        public int Word;
        public ulong Context;
        public ulong LowerContext;
    }

    private sealed class ContextEntry
    {
        public int Sum;
        public int Count;
        public int[] Next = new int[2];

        public void AddNext(int word)
        {
            if (Count == Next.Length)
            {
                Array.Resize(ref Next, Next.Length * 2);
            }

            Next[Count++] = word;
        }

        public void RemoveNext(int word)
        {
            var at = Array.IndexOf(Next, word, 0, Count);
            if (at >= 0)
            {
                Next[at] = Next[--Count];
            }
        }
    }
}
