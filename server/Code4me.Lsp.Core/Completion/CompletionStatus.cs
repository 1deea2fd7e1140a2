namespace Code4me.Lsp.Core.Completion;

/// <summary>
/// What the user should know about completion right now: whether a query is with the models (thinking), and which
/// configured models failed their last call (unreachable). An outage is one event: <see cref="Changed"/> fires when a
/// model turns unreachable and when it answers again, never once per failed request.
/// </summary>
public sealed class CompletionStatus
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _unreachable = new(StringComparer.Ordinal);
    private int _thinking;

    /// <summary>Raised (outside any lock, on the thread that changed it) with the new state and, for an outage that just began, its model and error.</summary>
    public event Action<CompletionStatusChange>? Changed;

    /// <summary>The state as it stands.</summary>
    public CompletionState State
    {
        get
        {
            lock (_gate)
            {
                return StateLocked();
            }
        }
    }

    /// <summary>The models whose last call failed, with the error, in name order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Unreachable
    {
        get
        {
            lock (_gate)
            {
                return [.. _unreachable.OrderBy(p => p.Key, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>A query went to the models.</summary>
    public void Begin() => Update(() => _thinking++);

    /// <summary>A query's models answered (or its deadline passed).</summary>
    public void End() => Update(() => _thinking = Math.Max(0, _thinking - 1));

    /// <summary>
    /// One model's result: an error other than a cancellation (the user typed on) or the query's deadline (slow is not
    /// down) marks it unreachable; an answer marks it reachable again.
    /// </summary>
    public void Report(string model, string? error)
    {
        if (error is "cancelled" or "deadline exceeded")
        {
            return;
        }

        CompletionStatusChange? change;
        lock (_gate)
        {
            string? outage = null;
            if (error is null)
            {
                if (!_unreachable.Remove(model))
                {
                    return;
                }
            }
            else
            {
                if (!_unreachable.TryAdd(model, error))
                {
                    return;
                }

                outage = model;
            }

            change = new CompletionStatusChange(StateLocked(), outage, error);
        }

        Changed?.Invoke(change);
    }

    /// <summary>Forgets models that are no longer configured (their outage ended with their configuration).</summary>
    public void Retain(IEnumerable<string> models)
    {
        var keep = models.ToHashSet(StringComparer.Ordinal);
        Update(() =>
        {
            foreach (var name in _unreachable.Keys.Where(k => !keep.Contains(k)).ToArray())
            {
                _unreachable.Remove(name);
            }
        });
    }

    private void Update(Action change)
    {
        CompletionStatusChange? raised = null;
        lock (_gate)
        {
            var before = StateLocked();
            change();
            var after = StateLocked();
            if (after != before)
            {
                raised = new CompletionStatusChange(after, null, null);
            }
        }

        if (raised is not null)
        {
            Changed?.Invoke(raised);
        }
    }

    private CompletionState StateLocked() =>
        _thinking > 0 ? CompletionState.Thinking : _unreachable.Count > 0 ? CompletionState.Unreachable : CompletionState.Ready;
}
