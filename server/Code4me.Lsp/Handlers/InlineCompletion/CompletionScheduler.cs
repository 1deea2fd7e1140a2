using System.Collections.Concurrent;

namespace Code4me.Lsp.Handlers.InlineCompletion;

/// <summary>
/// One live inline-completion request per document: a newer request for the same document cancels the
/// older one (whose model calls stop at once), as an editor's typing makes the old position stale.
/// </summary>
internal sealed class CompletionScheduler
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _live = new(StringComparer.Ordinal);

    /// <summary>Starts a request; the returned scope's token is cancelled by the client or by a newer request.</summary>
    public Scope Begin(string uri, CancellationToken requestToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(requestToken);
        if (_live.TryGetValue(uri, out var older))
        {
            older.Cancel();
        }

        _live[uri] = source;
        return new Scope(this, uri, source);
    }

    internal sealed class Scope(CompletionScheduler owner, string uri, CancellationTokenSource source) : IDisposable
    {
        public CancellationToken Token => source.Token;

        public void Dispose()
        {
            owner._live.TryRemove(new KeyValuePair<string, CancellationTokenSource>(uri, source));
            source.Dispose();
        }
    }
}
