using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Core.Completion;

/// <summary>
/// The recent completion queries by id, so that the editor's later reports (shown, accepted, partially
/// accepted, rejected) attach to the right query and model. Bounded: the oldest queries are forgotten
/// first, and a report about a forgotten or unknown id is logged and ignored, never an error.
/// </summary>
public sealed partial class CompletionLedger(IEnumerable<ICompletionFeedbackObserver> observers, TimeProvider time, ILogger<CompletionLedger> logger)
{
    public const int Capacity = 4096;

    private readonly ICompletionFeedbackObserver[] _observers = [.. observers];
    private readonly Dictionary<Guid, LinkedListNode<CompletionRecord>> _byId = [];
    private readonly LinkedList<CompletionRecord> _order = new();
    private readonly Lock _gate = new();

    /// <summary>Remembers an answered query under <paramref name="queryId"/> (the id its items carry).</summary>
    public CompletionRecord Add(Guid queryId, string documentUri, int offset, CompletionContext context, CompletionOutcome outcome)
    {
        var record = new CompletionRecord(queryId, documentUri, offset, context, outcome, time.GetUtcNow());
        lock (_gate)
        {
            _byId[record.QueryId] = _order.AddLast(record);
            while (_order.Count > Capacity)
            {
                _byId.Remove(_order.First!.Value.QueryId);
                _order.RemoveFirst();
            }
        }

        foreach (var observer in _observers)
        {
            observer.Answered(record);
        }

        return record;
    }

    public bool TryGet(Guid queryId, out CompletionRecord record)
    {
        lock (_gate)
        {
            if (_byId.TryGetValue(queryId, out var node))
            {
                record = node.Value;
                return true;
            }
        }

        record = null!;
        return false;
    }

    /// <summary>Reads a record consistently with concurrent reports.</summary>
    public T Read<T>(CompletionRecord record, Func<CompletionRecord, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (_gate)
        {
            return read(record);
        }
    }

    public void Shown(string queryId, string model) => Report(queryId, model, "shown", (record, at) =>
    {
        record.Shown(at);
        foreach (var observer in _observers)
        {
            observer.Shown(record, model, at);
        }
    });

    public void Accepted(string queryId, string model) => Report(queryId, model, "accepted", (record, at) =>
    {
        record.Accept(model);
        foreach (var observer in _observers)
        {
            observer.Accepted(record, model, at);
        }
    });

    public void PartiallyAccepted(string queryId, string model, int acceptedLength) => Report(queryId, model, "partially accepted", (record, at) =>
    {
        if (acceptedLength < 0)
        {
            throw new InvalidInputException($"acceptedLength must not be negative (got {acceptedLength}).");
        }

        record.AcceptPartially(acceptedLength);
        foreach (var observer in _observers)
        {
            observer.PartiallyAccepted(record, model, acceptedLength, at);
        }
    });

    public void Rejected(string queryId, string model) => Report(queryId, model, "rejected", (record, at) =>
    {
        record.Reject();
        foreach (var observer in _observers)
        {
            observer.Rejected(record, model, at);
        }
    });

    private void Report(string queryId, string model, string what, Action<CompletionRecord, DateTimeOffset> apply)
    {
        if (!Guid.TryParse(queryId, out var id) || !TryGet(id, out var record))
        {
            LogUnknown(what, queryId);
            return;
        }

        if (!record.Outcome.Generations.Any(g => g.ModelName == model))
        {
            LogUnknownModel(what, queryId, model);
            return;
        }

        lock (_gate)
        {
            apply(record, time.GetUtcNow());
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored a '{What}' report for unknown or expired completion query {QueryId}")]
    private partial void LogUnknown(string what, string queryId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored a '{What}' report for query {QueryId}: model {Model} did not answer it")]
    private partial void LogUnknownModel(string what, string queryId, string model);
}
