using System.Reflection;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Session;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// Derives completion telemetry: the query event (context, contextual and behavioral telemetry, generations),
/// the editor's shown/accepted/partially accepted/rejected events, ground truth at fixed delays after each query,
/// and accepted-and-retained characters at fixed delays after each acceptance. As an
/// <see cref="IDocumentObserver"/> it follows every query's offset and every accepted region through edits
/// (and feeds <see cref="TypingSpeedMeter"/>). All calls are synchronous and never block on I/O; timers come
/// from the <see cref="TimeProvider"/>, so tests drive them with a fake clock.
/// </summary>
public sealed class CompletionTracker : IDocumentObserver, IDisposable
{
    private const int LocateWindow = 256;

    private readonly ITelemetrySink _sink;
    private readonly TelemetrySession _session;
    private readonly EditorSession _editor;
    private readonly TypingSpeedMeter _typing;
    private readonly BehaviorClock _clock;
    private readonly IOptionsMonitor<TelemetryOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CompletionTracker> _logger;
    private readonly MultiFileContextTracker _multiFile;
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _recording = [];
    private readonly Dictionary<Guid, TrackedQuery> _queries = [];
    private readonly Dictionary<string, List<TrackedQuery>> _byUri = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastChange = new(StringComparer.Ordinal);
    private bool _disposed;

    public CompletionTracker(
        ITelemetrySink sink,
        TelemetrySession session,
        EditorSession editor,
        TypingSpeedMeter typing,
        BehaviorClock clock,
        IOptionsMonitor<TelemetryOptions> options,
        TimeProvider time,
        ILogger<CompletionTracker> logger,
        MultiFileContextTracker multiFile)
    {
        _multiFile = multiFile;
        _sink = sink;
        _session = session;
        _editor = editor;
        _typing = typing;
        _clock = clock;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The server's version for <c>meta_query.server_version</c>.</summary>
    public static string ServerVersion { get; } =
        typeof(CompletionTracker).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Queries currently followed (for tests and diagnostics).</summary>
    public int TrackedQueryCount
    {
        get
        {
            lock (_gate)
            {
                return _queries.Count;
            }
        }
    }

    /// <summary>
    /// A completion request arrived: measures contextual and behavioral telemetry now and starts following the
    /// caret. Call it on the dispatch path before the first await, with the snapshot the request works on.
    /// </summary>
    /// <param name="document">The snapshot the request works on.</param>
    /// <param name="offset">The caret as a UTF-16 offset.</param>
    /// <param name="trigger">
    /// Invoked → <see cref="CompletionTrigger.Manual"/>. Automatic → <see cref="CompletionTrigger.Auto"/>, recorded as
    /// <see cref="CompletionTrigger.Idle"/> when the document has not changed for <see cref="TelemetryOptions.IdleTriggerMs"/>
    /// (or since it was opened): the editor asked during a pause, not because of a keystroke.
    /// </param>
    public CompletionQueryStart BeginQuery(TextDocument document, int offset, CompletionTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(document);
        var options = _options.CurrentValue;
        var now = _time.GetUtcNow();
        if (trigger == CompletionTrigger.Auto && IsIdle(document.Uri, now, options.IdleTriggerMs))
        {
            trigger = CompletionTrigger.Idle;
        }

        var queryId = Guid.CreateVersion7(now);
        var contextual = ContextualTelemetryBuilder.Build(Guid.CreateVersion7(now), document, offset, trigger, ClientIdentity.From(_editor, options.PluginVersion));
        var behavioral = new BehavioralTelemetry(
            Guid.CreateVersion7(now),
            _clock.MillisecondsSinceLastShown,
            _clock.MillisecondsSinceLastAccepted,
            _typing.CharactersPerSecond);
        var start = new CompletionQueryStart(queryId, now, document.Uri, offset, ProjectFolderOf(contextual.FilePath), contextual, behavioral);

        var query = new TrackedQuery(queryId, document.Uri, now, document.Text, offset);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _queries.Add(queryId, query);
            if (!_byUri.TryGetValue(document.Uri, out var list))
            {
                _byUri[document.Uri] = list = [];
            }

            list.Add(query);
            foreach (var seconds in options.EffectiveGroundTruthDelays)
            {
                Schedule(query, now + TimeSpan.FromSeconds(seconds), q => CaptureGroundTruth(q, seconds));
            }

            Schedule(query, now + TimeSpan.FromSeconds(options.QueryLifetimeSeconds), Expire);
        }

        return start;
    }

    /// <summary>
    /// The query answered the editor with <paramref name="known"/> (the generations so far; with the FirstToAnswer
    /// policy, later ones may follow): from now on the editor's shown/accepted/rejected reports for these models
    /// count. They are held back, with ground truth and retention, until <see cref="CompleteQuery"/> emitted the query
    /// event, so the database always gets a query before its feedback.
    /// </summary>
    public void AnswerQuery(CompletionQueryStart start, IReadOnlyList<GenerationResult> known)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(known);
        lock (_gate)
        {
            if (_queries.TryGetValue(start.QueryId, out var query) && !query.Recorded)
            {
                query.Generations = ByModel(query.Generations, known);
                query.SuggestionLineBreaks = LineBreaks(query.Generations);
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
        Task<IReadOnlyList<GenerationResult>> generations,
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
                    TelemetryLog.RecordingFailed(_logger, start.QueryId, e);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
        lock (_gate)
        {
            _recording.Add(recording);
        }

        recording.ContinueWith(
            done =>
            {
                lock (_gate)
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
        lock (_gate)
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
        CompletionQueryStart start, CompletionContextText context, IReadOnlyList<GenerationResult> generations, IReadOnlyList<ContextSnippet>? otherFiles = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(generations);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_queries.TryGetValue(start.QueryId, out var known) || known.Recorded)
            {
                TelemetryLog.QueryNotCompletable(_logger, start.QueryId);
                return null;
            }
        }

        // Outside the lock: reading and diffing the other files is the costly part, and it has its own lock.
        var multiFile = otherFiles is { Count: > 0 }
            ? _multiFile.Observe(_session.SessionId, start.ProjectFolder, [.. otherFiles.Where(f => f.Source is not null).Select(f => (f.Path, f.Source!))], start.At)
            : null;
        CompletionQueryEvent queryEvent;
        lock (_gate)
        {
            if (!_queries.TryGetValue(start.QueryId, out var query) || query.Recorded)
            {
                TelemetryLog.QueryNotCompletable(_logger, start.QueryId);
                return null;
            }

            query.Generations = ByModel(query.Generations, generations);
            query.SuggestionLineBreaks = LineBreaks(query.Generations);
            var filePath = start.Contextual.FilePath;
            queryEvent = new CompletionQueryEvent(
                Guid.CreateVersion7(now),
                start.At,
                start.QueryId,
                _session.SessionId,
                start.ProjectFolder,
                new ContextRecord(Guid.CreateVersion7(now), context.Prefix, context.Suffix, filePath is null ? null : Path.GetFileName(filePath), context.SelectedText),
                start.Contextual,
                start.Behavioral,
                [.. generations.Select(g => new GenerationRecord(g.Model, g.Completion, g.GenerationTimeMs, g.Confidence, [.. g.Logprobs], [], false, g.PromptTokens, g.CompletionTokens))],
                (int)Math.Max(0, Math.Round((now - start.At).TotalMilliseconds)),
                ServerVersion,
                multiFile);
            _sink.Enqueue(queryEvent);
            query.Recorded = true;
            foreach (var held in query.Pending)
            {
                _sink.Enqueue(held);
            }

            query.Pending.Clear();
        }

        return queryEvent;
    }

    /// <summary>The request was cancelled or failed: stop following it (nothing is recorded).</summary>
    public void CancelQuery(CompletionQueryStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        lock (_gate)
        {
            if (_queries.TryGetValue(start.QueryId, out var query) && query.Generations is null)
            {
                Remove(query);
            }
        }
    }

    /// <summary><c>textDocument/didShowCompletion</c>. False (and a log line) for an unknown or expired id or model.</summary>
    public bool Shown(Guid queryId, string model)
    {
        lock (_gate)
        {
            if (Find(queryId, model, "shown") is null)
            {
                return false;
            }

            var now = _time.GetUtcNow();
            _clock.MarkShown();
            Emit(_queries[queryId], new ShownEvent(Guid.CreateVersion7(now), now, queryId, model));
            return true;
        }
    }

    /// <summary><c>code4me/completionRejected</c>. False (and a log line) for an unknown or expired id or model.</summary>
    public bool Rejected(Guid queryId, string model)
    {
        lock (_gate)
        {
            if (Find(queryId, model, "rejected") is null)
            {
                return false;
            }

            var now = _time.GetUtcNow();
            Emit(_queries[queryId], new RejectedEvent(Guid.CreateVersion7(now), now, queryId, model));
            return true;
        }
    }

    /// <summary><c>code4me.acceptCompletion</c>: the whole generation was inserted. Starts retention measurement.</summary>
    public bool Accepted(Guid queryId, string model)
    {
        lock (_gate)
        {
            if (Find(queryId, model, "accepted") is not { } query)
            {
                return false;
            }

            var now = _time.GetUtcNow();
            Emit(query, new AcceptedEvent(Guid.CreateVersion7(now), now, queryId, model));
            Accept(query, model, query.Generations![model]);
            return true;
        }
    }

    /// <summary>
    /// <c>textDocument/didPartiallyAcceptCompletion</c>: the first <paramref name="acceptedLength"/> UTF-16 units
    /// (clamped to the generation) were inserted. The accepted text is the longest prefix accepted so far.
    /// </summary>
    public bool PartiallyAccepted(Guid queryId, string model, int acceptedLength)
    {
        lock (_gate)
        {
            if (Find(queryId, model, "partially accepted") is not { } query)
            {
                return false;
            }

            var completion = query.Generations![model];
            var length = Math.Clamp(acceptedLength, 0, completion.Length);
            var now = _time.GetUtcNow();
            Emit(query, new PartialAcceptEvent(Guid.CreateVersion7(now), now, queryId, model, length));
            Accept(query, model, completion[..length]);
            return true;
        }
    }

    public void Opened(TextDocument document)
    {
    }

    public void Changed(TextDocument before, TextDocument after, IReadOnlyList<TextEdit> edits)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var normalized = EditNormalizer.Normalize(before.Text, edits);
        _typing.Observe(after.Uri, normalized);
        lock (_gate)
        {
            _lastChange[after.Uri] = _time.GetUtcNow();
            if (!_byUri.TryGetValue(after.Uri, out var queries))
            {
                return;
            }

            foreach (var query in queries)
            {
                if (query.Closed)
                {
                    continue;
                }

                foreach (var edit in normalized)
                {
                    query.Anchor = OffsetMapping.MapLeftSticky(query.Anchor, edit);
                    if (query.Region is var (start, end))
                    {
                        var newStart = OffsetMapping.MapRegionStart(start, edit);
                        query.Region = (newStart, Math.Max(newStart, OffsetMapping.MapRegionEnd(end, edit)));
                    }
                }

                query.Text = after.Text;
                if (query.AcceptedModel is not null && query.Region is null)
                {
                    query.Region = Locate(query, query.AcceptedText);
                }
            }
        }
    }

    /// <summary>Queries in a closed document keep its last text: their later captures read it.</summary>
    public void Closed(TextDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        lock (_gate)
        {
            _lastChange.Remove(document.Uri);
            if (_byUri.TryGetValue(document.Uri, out var queries))
            {
                foreach (var query in queries)
                {
                    query.Closed = true;
                }
            }
        }
    }

    private bool IsIdle(string uri, DateTimeOffset now, int idleTriggerMs)
    {
        lock (_gate)
        {
            return !_lastChange.TryGetValue(uri, out var last) || (now - last).TotalMilliseconds >= idleTriggerMs;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var query in _queries.Values.ToList())
            {
                Remove(query);
            }
        }
    }

    private static Dictionary<string, string> ByModel(IReadOnlyDictionary<string, string>? known, IReadOnlyList<GenerationResult> generations)
    {
        var byModel = known is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(known, StringComparer.Ordinal);
        foreach (var g in generations)
        {
            byModel[g.Model] = g.Completion;
        }

        return byModel;
    }

    private static int LineBreaks(IReadOnlyDictionary<string, string> generations) =>
        generations.Count == 0 ? 0 : generations.Values.Max(GroundTruthCapture.CountLineBreaks);

    /// <summary>Enqueues an event of a query, or holds it until the query event itself has been emitted.</summary>
    private void Emit(TrackedQuery query, TelemetryEvent telemetryEvent)
    {
        if (query.Recorded)
        {
            _sink.Enqueue(telemetryEvent);
        }
        else
        {
            query.Pending.Add(telemetryEvent);
        }
    }

    private TrackedQuery? Find(Guid queryId, string model, string what)
    {
        if (!_queries.TryGetValue(queryId, out var query) || query.Expired || query.Generations is null)
        {
            TelemetryLog.UnknownQuery(_logger, what, queryId);
            return null;
        }

        if (!query.Generations.ContainsKey(model))
        {
            TelemetryLog.UnknownModel(_logger, what, queryId, model);
            return null;
        }

        return query;
    }

    private void Accept(TrackedQuery query, string model, string acceptedText)
    {
        _clock.MarkAccepted();
        if (query.AcceptedModel is { } first && first != model)
        {
            TelemetryLog.SecondModelAccepted(_logger, query.QueryId, model, first);
            return;
        }

        var previous = query.AcceptedModel is null ? string.Empty : query.AcceptedText;
        if (acceptedText.Length <= previous.Length)
        {
            return;
        }

        _typing.ExcludeAcceptedInsert(query.Uri, acceptedText[previous.Length..]);
        query.AcceptedText = acceptedText;
        if (query.AcceptedModel is null)
        {
            query.AcceptedModel = model;
            query.AcceptedAt = _time.GetUtcNow();
            foreach (var seconds in _options.CurrentValue.EffectiveRetentionDelays)
            {
                query.RetentionPending++;
                Schedule(query, query.AcceptedAt + TimeSpan.FromSeconds(seconds), q => MeasureRetention(q, seconds));
            }
        }

        query.Region = Locate(query, acceptedText);
    }

    /// <summary>
    /// Finds the accepted text: at the followed query offset, else (the item replaced text before the caret)
    /// the occurrence nearest to it within 256 units either side; null if it is not (yet) in the document.
    /// </summary>
    private static (int Start, int End)? Locate(TrackedQuery query, string accepted)
    {
        var text = query.Text;
        var anchor = Math.Clamp(query.Anchor, 0, text.Length);
        if (query.Region is var (start, _) && start + accepted.Length <= text.Length && text.GetText(start, accepted.Length) == accepted)
        {
            return (start, start + accepted.Length);
        }

        if (anchor + accepted.Length <= text.Length && text.GetText(anchor, accepted.Length) == accepted)
        {
            return (anchor, anchor + accepted.Length);
        }

        var from = Math.Max(0, anchor - accepted.Length - LocateWindow);
        var to = Math.Min(text.Length, anchor + accepted.Length + LocateWindow);
        var window = text.GetText(from, to - from);
        (int Start, int End)? best = null;
        for (var i = window.IndexOf(accepted, StringComparison.Ordinal); i >= 0; i = window.IndexOf(accepted, i + 1, StringComparison.Ordinal))
        {
            if (best is null || Math.Abs(from + i - anchor) < Math.Abs(best.Value.Start - anchor))
            {
                best = (from + i, from + i + accepted.Length);
            }
        }

        return best;
    }

    private void CaptureGroundTruth(TrackedQuery query, int seconds)
    {
        if (query.Generations is null)
        {
            // Never completed (cancelled or failed): nothing to compare with.
            Remove(query);
            return;
        }

        var options = _options.CurrentValue;
        var (truth, before, after) = GroundTruthCapture.Capture(query.Text, query.Anchor, query.SuggestionLineBreaks, options.GroundTruthContextChars);
        var now = _time.GetUtcNow();
        Emit(query, new GroundTruthEvent(Guid.CreateVersion7(now), now, query.QueryId, seconds, now, truth, before, after));
    }

    private void MeasureRetention(TrackedQuery query, int seconds)
    {
        query.RetentionPending--;
        if (query.Region is not var (start, end))
        {
            TelemetryLog.AcceptedTextNotFound(_logger, query.QueryId, seconds);
        }
        else
        {
            var region = query.Text.GetText(start, Math.Min(end, query.Text.Length) - start);
            var now = _time.GetUtcNow();
            Emit(query, new RetentionEvent(
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
            Remove(query);
        }
    }

    private void Expire(TrackedQuery query)
    {
        query.Expired = true;
        if (query.RetentionPending == 0)
        {
            Remove(query);
        }
    }

    private void Schedule(TrackedQuery query, DateTimeOffset due, Action<TrackedQuery> action)
    {
        var delay = due - _time.GetUtcNow();
        var timer = _time.CreateTimer(
            _ =>
            {
                lock (_gate)
                {
                    if (_queries.TryGetValue(query.QueryId, out var current) && ReferenceEquals(current, query))
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

    private void Remove(TrackedQuery query)
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

    private string? ProjectFolderOf(string? filePath)
    {
        if (filePath is null)
        {
            return null;
        }

        string? best = null;
        foreach (var folder in _editor.WorkspaceFolders)
        {
            var prefix = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
            if ((filePath.StartsWith(prefix, StringComparison.Ordinal) || filePath == folder) && (best is null || folder.Length > best.Length))
            {
                best = folder;
            }
        }

        return best;
    }
}
