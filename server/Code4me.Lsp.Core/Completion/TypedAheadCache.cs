namespace Code4me.Lsp.Core.Completion;

/// <summary>
/// Remembers the completion last shown at a place, so that when the user types its first characters the
/// rest is served without calling a model. One entry per document; the oldest documents are evicted.
/// Thread-safe.
/// </summary>
public sealed class TypedAheadCache
{
    private const int TailLength = 64;
    private readonly int _capacity;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _order = new();

    public TypedAheadCache(int capacity = 256) => _capacity = Math.Max(1, capacity);

    /// <summary>Remembers what was shown for <paramref name="context"/>.</summary>
    public void Remember(CompletionContext context, CompletionOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Chosen is not { IsUsable: true } chosen)
        {
            return;
        }

        var entry = new Entry(
            context.Prefix.Length,
            context.Prefix[Math.Max(0, context.Prefix.Length - TailLength)..],
            context.Suffix[..Math.Min(TailLength, context.Suffix.Length)],
            chosen,
            outcome.QueryId,
            outcome.MultiLine);
        lock (_gate)
        {
            if (_entries.ContainsKey(context.DocumentKey))
            {
                _order.Remove(context.DocumentKey);
            }

            _entries[context.DocumentKey] = entry;
            _order.AddLast(context.DocumentKey);
            while (_entries.Count > _capacity && _order.First is { } oldest)
            {
                _order.RemoveFirst();
                _entries.Remove(oldest.Value);
            }
        }
    }

    /// <summary>
    /// When the prefix is the remembered prefix plus a non-empty start of the remembered completion (and the
    /// suffix is unchanged), returns the rest of the completion as a new outcome with a fresh query id.
    /// </summary>
    public bool TryServe(CompletionContext context, out CompletionOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(context);
        outcome = null!;
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(context.DocumentKey, out entry!))
            {
                return false;
            }
        }

        var completion = entry.Chosen.Completion;
        var typed = context.Prefix.Length - entry.PrefixLength;
        if (typed <= 0 || typed >= completion.Length)
        {
            return false;
        }

        var prefix = context.Prefix.AsSpan();
        var typedText = prefix[^typed..];
        var before = prefix[..^typed];
        if (!typedText.SequenceEqual(completion.AsSpan(0, typed))
            || !before.EndsWith(entry.PrefixTail, StringComparison.Ordinal)
            || !context.Suffix.AsSpan(0, Math.Min(TailLength, context.Suffix.Length)).SequenceEqual(entry.SuffixHead))
        {
            return false;
        }

        var rest = entry.Chosen with { Completion = completion[typed..], RawCompletion = completion[typed..], GenerationTimeMs = 0, Late = false };
        outcome = new CompletionOutcome
        {
            QueryId = Guid.CreateVersion7(),
            Generations = [rest],
            Chosen = rest,
            MultiLine = entry.MultiLine,
            CachedFromQueryId = entry.QueryId,
            AllGenerations = Task.FromResult<IReadOnlyList<ModelGeneration>>([rest]),
        };
        return true;
    }

    /// <summary>Forgets a document (didClose).</summary>
    public void Forget(string documentKey)
    {
        lock (_gate)
        {
            if (_entries.Remove(documentKey))
            {
                _order.Remove(documentKey);
            }
        }
    }

    /// <summary>Forgets every document: the models changed, and what an old one said is not the new set's answer.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _order.Clear();
        }
    }

    private sealed record Entry(int PrefixLength, string PrefixTail, string SuffixHead, ModelGeneration Chosen, Guid QueryId, bool MultiLine);
}
