using System.Collections.Concurrent;

namespace Code4me.Lsp.Core.Completion;

/// <summary>
/// At most one live <em>automatic</em> inline-completion request per document: a newer request for the same document
/// (automatic or invoked) cancels it (its model calls stop at once), as the editor's typing makes its position stale.
/// An invoked request (the user asked) is never superseded; only the client's <c>$/cancelRequest</c> stops it.
/// </summary>
public sealed class CompletionScheduler
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _live = new(StringComparer.Ordinal);

    /// <summary>
    /// Starts a request, cancelling the document's live automatic one. The returned scope's token is cancelled by the
    /// client or, when <paramref name="supersedable"/> (an automatic request), by a newer request.
    /// </summary>
    public Scope Begin(string uri, bool supersedable, CancellationToken requestToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(requestToken);
        if (_live.TryRemove(uri, out var older))
        {
            older.Cancel();
        }

        if (supersedable)
        {
            _live[uri] = source;
        }

        return new Scope(this, uri, source);
    }

    public sealed class Scope(CompletionScheduler owner, string uri, CancellationTokenSource source) : IDisposable
    {
        public CancellationToken Token => source.Token;

        public void Dispose()
        {
            owner._live.TryRemove(new KeyValuePair<string, CancellationTokenSource>(uri, source));
            source.Dispose();
        }
    }
}
