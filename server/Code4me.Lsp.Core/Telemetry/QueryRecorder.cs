using System.Reflection;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Documents;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// A completion query's life as telemetry: begun when the request arrives (measured then), answered when the editor
/// gets its items (from then on the editor's reports count), recorded once every model answered (the
/// <see cref="CompletionQueryEvent"/>, then the events held back for it), or cancelled. All calls are synchronous and
/// never block on I/O; the recording of late models runs off the request path.
/// </summary>
public sealed class QueryRecorder(
    QueryBook book, QueryMeasurement measurement, FollowUpScheduler followUps, TelemetrySession session, MultiFileContextTracker multiFile, TimeProvider time, ILogger<QueryRecorder> logger)
{
    private readonly HashSet<Task> _recording = [];

    /// <summary>The server's version for <c>meta_query.server_version</c>.</summary>
    public static string ServerVersion { get; } =
        typeof(QueryRecorder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>
    /// A completion request arrived: measures contextual and behavioral telemetry now (<see cref="QueryMeasurement"/>)
    /// and starts following the caret. Call it on the dispatch path before the first await, with the snapshot the
    /// request works on.
    /// </summary>
    public CompletionQueryStart BeginQuery(TextDocument document, int offset, CompletionTrigger trigger)
    {
        var start = measurement.Measure(document, offset, trigger);
        var query = new TrackedQuery(start.QueryId, document.Uri, start.At, document.Text, offset);
        lock (book.Gate)
        {
            book.Add(query);
            followUps.QueryBegan(query);
        }

        return start;
    }

    /// <summary>
    /// The query answered the editor with <paramref name="known"/> (the generations so far; with the FirstToAnswer
    /// policy, later ones may follow): from now on the editor's reports for these models count. They are held back, with
    /// ground truth and retention, until <see cref="CompleteQuery"/> emitted the query event, so the database always gets
    /// a query before its feedback.
    /// </summary>
    /// <param name="fromCache">True when the typed-ahead cache answered instead of the models.</param>
    public void AnswerQuery(CompletionQueryStart start, IReadOnlyList<ModelGeneration> known, bool fromCache = false)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(known);
        lock (book.Gate)
        {
            if (book.TryGet(start.QueryId, out var query) && !query.Recorded)
            {
                Merge(query, known);
                query.AnsweredModels = [.. known.Select(g => g.ModelName)];
                query.FromCache = fromCache;
            }
        }
    }

    /// <summary>
    /// Completes the query off the request path once <paramref name="generations"/> (every model's answer, including
    /// those that arrive after the editor got its items) is known; <see cref="WhenRecordedAsync"/> waits for it.
    /// </summary>
    public void CompleteQueryLater(
        CompletionQueryStart start,
        CompletionContextText context,
        Task<IReadOnlyList<ModelGeneration>> generations,
        IReadOnlyList<ContextSnippet>? otherFiles = null)
    {
        ArgumentNullException.ThrowIfNull(generations);
        var recording = generations.ContinueWith(
            all =>
            {
                try
                {
                    CompleteQuery(start, context, all.IsCompletedSuccessfully ? all.Result : [], otherFiles);
                }
#pragma warning disable CA1031 // off the request path: a failure is logged, never unobserved, and never blocks shutdown
                catch (Exception e)
#pragma warning restore CA1031
                {
                    TelemetryLog.RecordingFailed(logger, start.QueryId, e);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
        lock (_recording)
        {
            _recording.Add(recording);
        }

        recording.ContinueWith(
            done =>
            {
                lock (_recording)
                {
                    _recording.Remove(done);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Completes when every query handed to <see cref="CompleteQueryLater"/> so far has been recorded.</summary>
    public Task WhenRecordedAsync(CancellationToken cancellationToken)
    {
        Task[] pending;
        lock (_recording)
        {
            pending = [.. _recording];
        }

        return Task.WhenAll(pending).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The query produced its generations (every model's): emits the <see cref="CompletionQueryEvent"/>, then the
    /// events held back since <see cref="AnswerQuery"/>. A query never completed (cancelled, failed) emits nothing and
    /// is forgotten at its first ground-truth delay.
    /// </summary>
    /// <param name="otherFiles">The other documents whose text went into the prompt (<see cref="ContextSnippet.Source"/>).</param>
    public CompletionQueryEvent? CompleteQuery(
        CompletionQueryStart start, CompletionContextText context, IReadOnlyList<ModelGeneration> generations, IReadOnlyList<ContextSnippet>? otherFiles = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(generations);
        var now = time.GetUtcNow();
        lock (book.Gate)
        {
            if (!book.TryGet(start.QueryId, out var known) || known.Recorded)
            {
                TelemetryLog.QueryNotCompletable(logger, start.QueryId);
                return null;
            }
        }

        // Outside the lock: reading and diffing the other files is the costly part, and it has its own lock.
        var multiFileContext = otherFiles is { Count: > 0 }
            ? multiFile.Observe(session.SessionId, start.ProjectFolder, [.. otherFiles.Where(f => f.Source is not null).Select(f => (f.Path, f.Source!))], start.At)
            : null;
        lock (book.Gate)
        {
            if (!book.TryGet(start.QueryId, out var query) || query.Recorded)
            {
                TelemetryLog.QueryNotCompletable(logger, start.QueryId);
                return null;
            }

            Merge(query, generations);
            var filePath = start.Contextual.FilePath;
            var queryEvent = new CompletionQueryEvent(
                Guid.CreateVersion7(now),
                start.At,
                start.QueryId,
                session.SessionId,
                start.ProjectFolder,
                new ContextRecord(Guid.CreateVersion7(now), context.Prefix, context.Suffix, filePath is null ? null : Path.GetFileName(filePath), context.SelectedText),
                start.Contextual,
                start.Behavioral,
                [.. generations.Select(ToRecord)],
                (int)Math.Max(0, Math.Round((now - start.At).TotalMilliseconds)),
                ServerVersion,
                multiFileContext);
            book.Release(query, queryEvent);
            return queryEvent;
        }
    }

    /// <summary>The request was cancelled or failed: stop following it (nothing is recorded).</summary>
    public void CancelQuery(CompletionQueryStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        lock (book.Gate)
        {
            if (book.TryGet(start.QueryId, out var query) && query.Generations is null)
            {
                book.Remove(query);
            }
        }
    }

    /// <summary>Adds <paramref name="generations"/> to what the query knows of its models' answers. Under the book's lock.</summary>
    private static void Merge(TrackedQuery query, IReadOnlyList<ModelGeneration> generations)
    {
        var byModel = query.Generations is null
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(query.Generations, StringComparer.Ordinal);
        foreach (var g in generations)
        {
            byModel[g.ModelName] = g.Completion;
        }

        query.Generations = byModel;
        query.SuggestionLineBreaks = byModel.Count == 0 ? 0 : byModel.Values.Max(GroundTruthCapture.CountLineBreaks);
    }

    private static GenerationRecord ToRecord(ModelGeneration g) =>
        new(g.ModelName, g.Completion, (int)Math.Round(g.GenerationTimeMs), g.Confidence, [.. g.Logprobs], [], false, g.PromptTokens, g.CompletionTokens);
}
