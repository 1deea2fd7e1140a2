using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// The one registry of completion queries: every query from its request until its last follow-up, by id and by document.
/// The editor's reports (<see cref="QueryFeedback"/>, <c>code4me/queryState</c>) and telemetry (<see cref="QueryRecorder"/>,
/// <see cref="EditFollower"/>, <see cref="FollowUpScheduler"/>) read and change the same <see cref="TrackedQuery"/> under
/// the book's one lock, <see cref="Gate"/>. The book also keeps a query's events in order: none reaches the sink before
/// the query event itself (<see cref="Emit"/>, <see cref="Release"/>).
/// </summary>
public sealed class QueryBook(ITelemetrySink sink, ILogger<QueryBook> logger) : IDisposable
{
    private readonly Dictionary<Guid, TrackedQuery> _queries = [];
    private readonly Dictionary<string, List<TrackedQuery>> _byUri = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>The lock every query's state is read and changed under.</summary>
    internal Lock Gate { get; } = new();

    /// <summary>Queries currently followed (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (Gate)
            {
                return _queries.Count;
            }
        }
    }

    /// <summary>Starts following <paramref name="query"/>. Under <see cref="Gate"/>.</summary>
    internal void Add(TrackedQuery query)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _queries.Add(query.QueryId, query);
        if (!_byUri.TryGetValue(query.Uri, out var list))
        {
            _byUri[query.Uri] = list = [];
        }

        list.Add(query);
    }

    /// <summary>Under <see cref="Gate"/>.</summary>
    internal bool TryGet(Guid queryId, out TrackedQuery query) => _queries.TryGetValue(queryId, out query!);

    /// <summary>True while <paramref name="query"/> is followed (a timer of a removed query does nothing). Under <see cref="Gate"/>.</summary>
    internal bool IsFollowed(TrackedQuery query) => _queries.TryGetValue(query.QueryId, out var current) && ReferenceEquals(current, query);

    /// <summary>The queries followed in a document. Under <see cref="Gate"/>.</summary>
    internal IReadOnlyList<TrackedQuery> InDocument(string uri) => _byUri.TryGetValue(uri, out var list) ? list : [];

    /// <summary>
    /// The answered, unexpired query <paramref name="queryId"/> that <paramref name="model"/> answered; null (and a log line)
    /// otherwise. Under <see cref="Gate"/>.
    /// </summary>
    internal TrackedQuery? Find(Guid queryId, string model, string what)
    {
        if (!_queries.TryGetValue(queryId, out var query) || query.Expired || query.Generations is null)
        {
            TelemetryLog.UnknownQuery(logger, what, queryId);
            return null;
        }

        if (!query.Generations.ContainsKey(model))
        {
            TelemetryLog.UnknownModel(logger, what, queryId, model);
            return null;
        }

        return query;
    }

    /// <summary>Enqueues an event of a query, or holds it until the query event itself has been emitted. Under <see cref="Gate"/>.</summary>
    internal void Emit(TrackedQuery query, TelemetryEvent telemetryEvent)
    {
        if (query.Recorded)
        {
            sink.Enqueue(telemetryEvent);
        }
        else
        {
            query.Pending.Add(telemetryEvent);
        }
    }

    /// <summary>Emits the query event, then every event held back for it. Under <see cref="Gate"/>.</summary>
    internal void Release(TrackedQuery query, CompletionQueryEvent queryEvent)
    {
        sink.Enqueue(queryEvent);
        query.Recorded = true;
        foreach (var held in query.Pending)
        {
            sink.Enqueue(held);
        }

        query.Pending.Clear();
    }

    /// <summary>Stops following <paramref name="query"/> and disposes its timers. Under <see cref="Gate"/>.</summary>
    internal void Remove(TrackedQuery query)
    {
        _queries.Remove(query.QueryId);
        if (_byUri.TryGetValue(query.Uri, out var list))
        {
            list.Remove(query);
            if (list.Count == 0)
            {
                _byUri.Remove(query.Uri);
            }
        }

        foreach (var timer in query.Timers)
        {
            timer.Dispose();
        }

        query.Timers.Clear();
    }

    public void Dispose()
    {
        lock (Gate)
        {
            _disposed = true;
            foreach (var query in _queries.Values.ToList())
            {
                Remove(query);
            }
        }
    }
}
