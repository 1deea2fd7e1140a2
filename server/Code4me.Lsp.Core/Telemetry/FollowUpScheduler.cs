using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// What happens after a query on a timer: ground truth at each <see cref="TelemetryOptions.GroundTruthDelaysSeconds"/>
/// after the request, accepted-and-retained characters at each <see cref="TelemetryOptions.RetentionDelaysSeconds"/>
/// after the first acceptance, and the end of the query's life (<see cref="TelemetryOptions.QueryLifetimeSeconds"/>).
/// Timers come from the <see cref="TimeProvider"/>, so tests drive them with a fake clock.
/// </summary>
public sealed class FollowUpScheduler(QueryBook book, IOptionsMonitor<TelemetryOptions> options, TimeProvider time, ILogger<FollowUpScheduler> logger)
{
    /// <summary>Schedules ground truth and the end of life of a query that just began. Under <see cref="QueryBook.Gate"/>.</summary>
    internal void QueryBegan(TrackedQuery query)
    {
        var current = options.CurrentValue;
        foreach (var seconds in current.EffectiveGroundTruthDelays)
        {
            Schedule(query, query.At + TimeSpan.FromSeconds(seconds), q => CaptureGroundTruth(q, seconds));
        }

        Schedule(query, query.At + TimeSpan.FromSeconds(current.QueryLifetimeSeconds), Expire);
    }

    /// <summary>Schedules retention measurements after the query's first acceptance. Under <see cref="QueryBook.Gate"/>.</summary>
    internal void FirstAccepted(TrackedQuery query)
    {
        foreach (var seconds in options.CurrentValue.EffectiveRetentionDelays)
        {
            query.RetentionPending++;
            Schedule(query, query.AcceptedAt + TimeSpan.FromSeconds(seconds), q => MeasureRetention(q, seconds));
        }
    }

    private void CaptureGroundTruth(TrackedQuery query, int seconds)
    {
        if (query.Generations is null)
        {
            // Never completed (cancelled or failed): nothing to compare with.
            book.Remove(query);
            return;
        }

        var (truth, before, after) = GroundTruthCapture.Capture(query.Text, query.Anchor, query.SuggestionLineBreaks, options.CurrentValue.GroundTruthContextChars);
        var now = time.GetUtcNow();
        book.Emit(query, new GroundTruthEvent(Guid.CreateVersion7(now), now, query.QueryId, seconds, now, truth, before, after));
    }

    private void MeasureRetention(TrackedQuery query, int seconds)
    {
        query.RetentionPending--;
        if (query.Region is not var (start, end))
        {
            TelemetryLog.AcceptedTextNotFound(logger, query.QueryId, seconds);
        }
        else
        {
            var region = query.Text.GetText(start, Math.Min(end, query.Text.Length) - start);
            var now = time.GetUtcNow();
            book.Emit(query, new RetentionEvent(
                Guid.CreateVersion7(now),
                now,
                query.QueryId,
                query.AcceptedModel!,
                seconds,
                query.AcceptedText.Length,
                RetentionMeasure.RetainedCharacters(query.AcceptedText, region)));
        }

        if (query.RetentionPending == 0 && query.Expired)
        {
            book.Remove(query);
        }
    }

    private void Expire(TrackedQuery query)
    {
        query.Expired = true;
        if (query.RetentionPending == 0)
        {
            book.Remove(query);
        }
    }

    private void Schedule(TrackedQuery query, DateTimeOffset due, Action<TrackedQuery> action)
    {
        var delay = due - time.GetUtcNow();
        var timer = time.CreateTimer(
            _ =>
            {
                lock (book.Gate)
                {
                    if (book.IsFollowed(query))
                    {
                        action(query);
                    }
                }
            },
            null,
            delay < TimeSpan.Zero ? TimeSpan.Zero : delay,
            Timeout.InfiniteTimeSpan);
        query.Timers.Add(timer);
    }
}
