using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Code4me.Lsp.Core.Completion.Offline;

/// <summary>
/// The smoothed count tables of an <see cref="NGramModel"/>: interpolated Kneser-Ney over token ids, changed by count
/// deltas. Read by <see cref="Load"/> (the contexts of a history) then <see cref="Probability(int)"/> and
/// <see cref="GatherCandidates"/>. Not thread-safe: the model's owner locks it.
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
internal sealed class GramTables
{
    private const ulong Seed = 0x243F6A8885A308D3UL;
    private const int MaxCandidatesPerLevel = 256;
    private const int EnoughCandidates = 16;

    private readonly int _order;
    private readonly double _discount;
    private readonly Vocabulary _vocabulary;
    private readonly Dictionary<ulong, GramEntry>[] _grams;
    private readonly Dictionary<ulong, ContextEntry>[] _contexts;

    // The contexts of the history last hashed (scratch space for the single thread that holds the lock).
    private readonly ContextEntry?[] _entries;
    private readonly ulong[] _hashes;
    private int[] _topUnigrams = [];
    private long _changes;
    private long _topUnigramsAt;

    public GramTables(int order, double discount, Vocabulary vocabulary)
    {
        _order = order;
        _discount = discount;
        _vocabulary = vocabulary;
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

    /// <summary>Rough bytes held by the count tables.</summary>
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

            return bytes;
        }
    }

    // ---------------------------------------------------------------- counting

    /// <summary>Counts the n-grams ending at tokens [<paramref name="from"/>, <paramref name="to"/>) of <paramref name="ids"/>.</summary>
    public void AddPositions(List<int> ids, int from, int to)
    {
        var all = CollectionsMarshal.AsSpan(ids);
        for (var e = from; e < to; e++)
        {
            Hash(all[..e]);
            Add(_hashes, all[e], _order);
        }
    }

    /// <summary>Takes back what <see cref="AddPositions"/> counted.</summary>
    public void RemovePositions(List<int> ids, int from, int to)
    {
        var all = CollectionsMarshal.AsSpan(ids);
        for (var e = from; e < to; e++)
        {
            Hash(all[..e]);
            Remove(GramKey(_hashes[_order - 1], all[e]), _order, 1);
        }
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
        _changes++;
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

    // ---------------------------------------------------------------- reading

    /// <summary>Looks up the contexts of <paramref name="history"/>'s last tokens, which the reads below then use.</summary>
    public void Load(ReadOnlySpan<int> history)
    {
        Hash(history);
        for (var k = 0; k < _order; k++)
        {
            _contexts[k].TryGetValue(_hashes[k], out _entries[k]);
        }
    }

    /// <summary>P(word | the history last loaded).</summary>
    public double Probability(int word)
    {
        var p = 1.0 / (_vocabulary.RealCount + 1);
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

    /// <summary>
    /// The tokens seen after the history last loaded, longest context first, into <paramref name="candidates"/> (and
    /// <paramref name="seen"/>), both cleared first; for a context never seen, the tokens that follow the most contexts.
    /// </summary>
    public void GatherCandidates(List<int> candidates, HashSet<int> seen)
    {
        candidates.Clear();
        seen.Clear();
        for (var k = _order; k >= 2 && candidates.Count < EnoughCandidates; k--)
        {
            var entry = _entries[k - 1];
            if (entry is null)
            {
                continue;
            }

            var n = Math.Min(entry.Count, MaxCandidatesPerLevel);
            for (var j = 0; j < n; j++)
            {
                if (seen.Add(entry.Next[j]))
                {
                    candidates.Add(entry.Next[j]);
                }
            }
        }

        // A context never seen (a new word just typed): the tokens that follow the most different contexts.
        if (candidates.Count == 0)
        {
            foreach (var w in TopUnigrams())
            {
                seen.Add(w);
                candidates.Add(w);
            }
        }
    }

    // Recomputed when the tables have changed by more than a few thousand counts since (a scan of the vocabulary).
    private int[] TopUnigrams()
    {
        if (_topUnigrams.Length == 0 || _changes - _topUnigramsAt > 4096)
        {
            _topUnigrams = [.. _grams[0].Values.OrderByDescending(g => g.Count).Take(EnoughCandidates).Select(g => g.Word)];
            _topUnigramsAt = _changes;
        }

        return _topUnigrams;
    }

    // ---------------------------------------------------------------- hashing

    /// <summary>_hashes[j] = hash of the last j tokens of <paramref name="history"/> (begin-of-document padded).</summary>
    private void Hash(ReadOnlySpan<int> history)
    {
        _hashes[0] = Seed;
        for (var j = 1; j < _order; j++)
        {
            var token = j <= history.Length ? history[^j] : Vocabulary.BeginOfDocument;
            _hashes[j] = Mix(_hashes[j - 1], token);
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
