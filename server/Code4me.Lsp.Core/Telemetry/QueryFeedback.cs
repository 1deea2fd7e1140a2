using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// What the editor reports about a suggestion (shown, accepted, partially accepted, rejected), applied to the query in
/// the <see cref="QueryBook"/>: recorded as events, counted for <c>code4me/queryState</c>, and an acceptance starts
/// retention. A report about an unknown or expired query, or a model that did not answer it, is logged and ignored.
/// Synchronous and never blocks on I/O.
/// </summary>
public sealed class QueryFeedback(QueryBook book, FollowUpScheduler followUps, BehaviorClock clock, TypingSpeedMeter typing, TimeProvider time, ILogger<QueryFeedback> logger)
{
    /// <summary><c>textDocument/didShowCompletion</c>. False (and a log line) for an unknown or expired id or model.</summary>
    public bool Shown(Guid queryId, string model)
    {
        lock (book.Gate)
        {
            if (book.Find(queryId, model, "shown") is not { } query)
            {
                return false;
            }

            var now = time.GetUtcNow();
            clock.MarkShown();
            query.ShownCount++;
            book.Emit(query, new ShownEvent(Guid.CreateVersion7(now), now, queryId, model));
            return true;
        }
    }

    /// <summary><c>code4me/completionRejected</c>. False (and a log line) for an unknown or expired id or model.</summary>
    public bool Rejected(Guid queryId, string model)
    {
        lock (book.Gate)
        {
            if (book.Find(queryId, model, "rejected") is not { } query)
            {
                return false;
            }

            var now = time.GetUtcNow();
            query.Rejected = true;
            book.Emit(query, new RejectedEvent(Guid.CreateVersion7(now), now, queryId, model));
            return true;
        }
    }

    /// <summary><c>code4me.acceptCompletion</c>: the whole generation was inserted. Starts retention measurement.</summary>
    public bool Accepted(Guid queryId, string model)
    {
        lock (book.Gate)
        {
            if (book.Find(queryId, model, "accepted") is not { } query)
            {
                return false;
            }

            var now = time.GetUtcNow();
            query.FullyAcceptedModel = model;
            book.Emit(query, new AcceptedEvent(Guid.CreateVersion7(now), now, queryId, model));
            Accept(query, model, query.Generations![model]);
            return true;
        }
    }

    /// <summary>
    /// <c>textDocument/didPartiallyAcceptCompletion</c>: the first <paramref name="acceptedLength"/> UTF-16 units
    /// (clamped to the generation) were inserted. The accepted text is the longest prefix accepted so far.
    /// </summary>
    /// <exception cref="InvalidInputException"><paramref name="acceptedLength"/> is negative.</exception>
    public bool PartiallyAccepted(Guid queryId, string model, int acceptedLength)
    {
        lock (book.Gate)
        {
            if (book.Find(queryId, model, "partially accepted") is not { } query)
            {
                return false;
            }

            if (acceptedLength < 0)
            {
                throw new InvalidInputException($"acceptedLength must not be negative (got {acceptedLength}).");
            }

            var completion = query.Generations![model];
            var length = Math.Min(acceptedLength, completion.Length);
            var now = time.GetUtcNow();
            query.PartiallyAcceptedLength = Math.Max(query.PartiallyAcceptedLength, acceptedLength);
            book.Emit(query, new PartialAcceptEvent(Guid.CreateVersion7(now), now, queryId, model, length));
            Accept(query, model, completion[..length]);
            return true;
        }
    }

    /// <summary>What is known of an answered query (<c>code4me/queryState</c>); null when it is unknown, unanswered or forgotten.</summary>
    public QueryFeedbackState? State(Guid queryId)
    {
        lock (book.Gate)
        {
            return book.TryGet(queryId, out var query) && query.Generations is not null
                ? new QueryFeedbackState(query.ShownCount, query.FullyAcceptedModel, query.PartiallyAcceptedLength, query.Rejected, query.AnsweredModels, query.FromCache)
                : null;
        }
    }

    private void Accept(TrackedQuery query, string model, string acceptedText)
    {
        clock.MarkAccepted();
        if (query.AcceptedModel is { } first && first != model)
        {
            TelemetryLog.SecondModelAccepted(logger, query.QueryId, model, first);
            return;
        }

        var previous = query.AcceptedModel is null ? string.Empty : query.AcceptedText;
        if (acceptedText.Length <= previous.Length)
        {
            return;
        }

        typing.ExcludeAcceptedInsert(query.Uri, acceptedText[previous.Length..]);
        query.AcceptedText = acceptedText;
        if (query.AcceptedModel is null)
        {
            query.AcceptedModel = model;
            query.AcceptedAt = time.GetUtcNow();
            followUps.FirstAccepted(query);
        }

        query.Region = EditFollower.Locate(query, acceptedText);
    }
}
