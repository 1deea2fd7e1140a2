using System.Threading.Channels;
using Code4me.Lsp.Core;
using Code4me.Lsp.Core.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Code4me.Lsp.Storage.Spool;

/// <summary>
/// The telemetry write path: bounded in-memory queue → batcher (by size and by time) → <see cref="DurableSpool"/>
/// (fsync'd) → <see cref="ITelemetryBatchWriter"/> (serially, in order, through a Polly retry + circuit breaker)
/// → acknowledgement. <see cref="Enqueue"/> never blocks: a full queue drops and counts. Spooling never waits for
/// the writer, so a database that is away only makes the spool grow. At start, unacknowledged records are
/// offered to the writer first; with no writer registered, events are only spooled.
/// </summary>
internal sealed class TelemetryPipeline : IHostedService, ITelemetrySink, IAsyncDisposable
{
    private readonly SpoolOptions _options;
    private readonly ITelemetryBatchWriter? _writer;
    private readonly ITelemetrySpoolAlerts? _alerts;
    private readonly ITelemetryEventFilter[] _filters;
    private readonly TimeProvider _time;
    private readonly ILogger<TelemetryPipeline> _logger;
    private readonly Channel<TelemetryEvent> _queue;
    private readonly Channel<bool> _spooledSignal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _progressGate = new();
    private readonly ChangeSignal _progress = new();
    private TaskCompletionSource _flushRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<DurableSpool>? _opening;
    private Task _spoolTask = Task.CompletedTask;
    private Task _writeTask = Task.CompletedTask;
    private Task? _stopTask;
    private long _enqueued;
    private long _handled;
    private long _queueDropped;
    private long _undecodable;
    private bool _queueFullLogged;
    private volatile bool _waitingForConsent;

    /// <summary>When the current database outage began (a <see cref="TimeProvider"/> timestamp); null while writes succeed. Write loop only.</summary>
    private long? _outageSince;

    public TelemetryPipeline(
        IOptions<SpoolOptions> options,
        IEnumerable<ITelemetryBatchWriter> writers,
        IEnumerable<ITelemetrySpoolAlerts> alerts,
        IEnumerable<ITelemetryEventFilter> filters,
        TimeProvider time,
        ILogger<TelemetryPipeline> logger)
    {
        _filters = [.. filters];
        _options = options.Value;
        _writer = writers.LastOrDefault();
        _alerts = alerts.LastOrDefault();
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<TelemetryEvent>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: refuses instead of waiting, so drops are counted
            SingleReader = true,
        });
    }

    /// <summary>The open spool (after <see cref="StartAsync"/>; waits while it is still being opened and recovered).</summary>
    public DurableSpool Spool => Opening.GetAwaiter().GetResult();

    private Task<DurableSpool> Opening => _opening ?? throw new InvalidOperationException("The telemetry pipeline has not started.");

    /// <summary>The spool once it is open; null while it is being opened, or if it could not be.</summary>
    private DurableSpool? OpenedSpool => _opening is { IsCompletedSuccessfully: true } opening ? opening.Result : null;

    /// <summary>Events refused by a full queue, by a full spool, or unreadable on replay.</summary>
    public long DroppedCount => Interlocked.Read(ref _queueDropped) + (OpenedSpool?.DroppedCount ?? 0) + Interlocked.Read(ref _undecodable);

    public void Enqueue(TelemetryEvent telemetryEvent)
    {
        ArgumentNullException.ThrowIfNull(telemetryEvent);
        if (_queue.Writer.TryWrite(telemetryEvent))
        {
            Interlocked.Increment(ref _enqueued);
            return;
        }

        var dropped = Interlocked.Increment(ref _queueDropped);
        if (!_queueFullLogged)
        {
            _queueFullLogged = true;
            SpoolLog.QueueFull(_logger, _options.QueueCapacity, dropped);
        }

        _alerts?.Dropped(DroppedCount);
    }

    /// <summary>
    /// Starts at once: the spool is opened and recovered (every segment's frames checked, which takes time in
    /// proportion to what is still spooled) in the background, so neither the host nor the editor's
    /// <c>initialize</c> waits for it. Events enqueued meanwhile wait in the bounded queue.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _opening = Task.Run(
            () => DurableSpool.Open(_options.EffectiveDirectory, _options.SegmentBytes, _options.MaxBytes, _options.WarnAtPercent, _logger, _alerts),
            CancellationToken.None);
        _spoolTask = Task.Run(SpoolLoopAsync, CancellationToken.None);
        if (_writer is not null)
        {
            _writeTask = Task.Run(() => WriteLoopAsync(_writer, _stopping.Token), CancellationToken.None);
        }
        else
        {
            // Said here, at start, once (the opened spool's own log line names an instance directory if it is one).
            SpoolLog.NoDatabase(_logger, _options.EffectiveDirectory, _options.MaxBytes);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Waits until every event enqueued before the call is in the spool and, with a writer, acknowledged by it.
    /// True when all of it reached the writer; false when there is no writer (it stays spooled).
    /// </summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        await SpoolQueuedAsync(cancellationToken);
        var opening = Opening;
        await opening.ContinueWith(static _ => { }, cancellationToken, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (!opening.IsCompletedSuccessfully)
        {
            return false;   // the spool could not be opened (logged by the spool loop): nothing reached it
        }

        var spool = opening.Result;
        if (_writer is null)
        {
            return spool.IsEmpty;
        }

        var last = spool.LastSequence;
        await WaitForAsync(() => spool.AcknowledgedSequence >= last || _writeTask.IsCompleted || HeldForConsent, cancellationToken);
        return spool.AcknowledgedSequence >= last;
    }

    /// <summary>
    /// Waits until every event enqueued before the call has been appended to the spool and fsync'd (or dropped at its
    /// bound). The batch being gathered is written at once, without waiting out <c>BatchWindowMs</c>: someone waits.
    /// </summary>
    public Task SpoolQueuedAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _enqueued);
        lock (_progressGate)
        {
            _flushRequested.TrySetResult();
        }

        return WaitForAsync(() => Interlocked.Read(ref _handled) >= target || _spoolTask.IsCompleted, cancellationToken);
    }

    /// <summary>Stops taking events, spools what is queued, gives the writer up to <c>ShutdownUploadMs</c>, and closes the spool.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_progressGate)
        {
            return _stopTask ??= StopCoreAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        try
        {
            await _spoolTask.WaitAsync(cancellationToken);
            if (_writer is not null && OpenedSpool is { } spool)
            {
                using var upload = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                upload.CancelAfter(TimeSpan.FromMilliseconds(_options.ShutdownUploadMs));
                var last = spool.LastSequence;
                await WaitForAsync(() => spool.AcknowledgedSequence >= last || _writeTask.IsCompleted || HeldForConsent, upload.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Out of time: what is spooled stays for the next start.
        }
        finally
        {
            await _stopping.CancelAsync();
            await Task.WhenAll(_writeTask, _spoolTask).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            OpenedSpool?.Dispose();
            _stopping.Dispose();
        }
    }

    private async Task SpoolLoopAsync()
    {
        var batch = new List<TelemetryEvent>(_options.BatchSize);
        var reader = _queue.Reader;
        try
        {
            if (await SpoolOrNullAsync(CancellationToken.None) is not { } spool)
            {
                SpoolLog.SpoolUnavailable(_logger, _options.EffectiveDirectory, Opening.Exception!.GetBaseException());
                return;
            }

            while (await reader.WaitToReadAsync())
            {
                Task flushRequested;
                lock (_progressGate)
                {
                    flushRequested = _flushRequested.Task;
                }

                if (_options.BatchWindowMs > 0 && reader.Count < _options.BatchSize && !reader.Completion.IsCompleted && !flushRequested.IsCompleted)
                {
                    // Let a batch fill for a moment: one fsync for many events; cut short when someone waits for it.
                    await Task.WhenAny(reader.Completion, Task.Delay(TimeSpan.FromMilliseconds(_options.BatchWindowMs), _time), flushRequested);
                }

                lock (_progressGate)
                {
                    if (_flushRequested.Task.IsCompleted)
                    {
                        _flushRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }

                while (batch.Count < _options.BatchSize && reader.TryRead(out var item))
                {
                    batch.Add(item);
                }

                AppendHonouringWithdrawals(spool, batch);
                Interlocked.Add(ref _handled, batch.Count);
                batch.Clear();
                _spooledSignal.Writer.TryWrite(true);
                Progress();
            }
        }
        catch (Exception e)
        {
            SpoolLog.PipelineFailed(_logger, e);
        }
        finally
        {
            Progress();
        }
    }

    private async Task WriteLoopAsync(ITelemetryBatchWriter writer, CancellationToken cancellationToken)
    {
        try
        {
            if (await SpoolOrNullAsync(cancellationToken) is not { } spool)
            {
                return;   // the spool loop says so
            }

            // Nothing is written, nor dropped for consent, before the filters apply the user's own rules (in a language
            // server: once the editor's settings are in). Judged by the default instead, an earlier run's spool would be
            // discarded as unconsented and acknowledged.
            _waitingForConsent = true;
            Progress();
            foreach (var filter in _filters)
            {
                await filter.WhenReadyAsync(cancellationToken);
            }

            _waitingForConsent = false;

            // Built here, off the start path: Polly validates its options by reflection (~20 ms on a cold start).
            var resilience = BuildResilience(writer);
            var after = spool.AcknowledgedSequence;
            var waitingLogged = false;
            while (!cancellationToken.IsCancellationRequested)
            {
                // A withdrawal acknowledges what was spooled before it (DiscardWithdrawn): never read behind that.
                after = Math.Max(after, spool.AcknowledgedSequence);
                var raw = spool.ReadAfter(after, _options.WriteBatchSize);
                if (raw.Count == 0)
                {
                    await _spooledSignal.Reader.ReadAsync(cancellationToken);
                    continue;
                }

                var allowed = AllowsRecording;
                var records = new List<SpooledRecord>(raw.Count);
                long through = 0;
                foreach (var (sequence, payload) in raw)
                {
                    var decoded = Decode(sequence, payload);
                    if (!allowed && decoded is not (null or ConsentChangedEvent))
                    {
                        break;   // recorded with consent, which is off now: it waits in the spool (only consent records pass)
                    }

                    // Consent may have been reduced since the record was spooled: write only what it allows now.
                    if (decoded is not null && ApplyFilters(decoded) is { } e)
                    {
                        records.Add(new SpooledRecord(sequence, e));
                    }

                    through = sequence;
                }

                if (records.Count > 0)
                {
                    await resilience.ExecuteAsync(static (state, ct) => new ValueTask(state.writer.WriteAsync(state.records, ct)), (writer, records), cancellationToken);
                    if (_outageSince is { } since)
                    {
                        _outageSince = null;
                        var lasted = _time.GetElapsedTime(since);
                        SpoolLog.OutageEnded(_logger, lasted);
                    }
                }

                if (through > 0)
                {
                    after = through;
                    spool.Acknowledge(through);
                    Progress();
                }

                if (through < raw[^1].Sequence)
                {
                    if (!waitingLogged)
                    {
                        waitingLogged = true;
                        SpoolLog.WaitingForConsent(_logger, spool.Directory);
                    }

                    var changed = Task.WhenAny(_filters.Select(f => f.WhenChangedAsync(cancellationToken)));
                    if (!AllowsRecording)
                    {
                        _waitingForConsent = true;
                        Progress();
                        await (await changed);   // rethrows the cancellation of a stop
                    }

                    _waitingForConsent = false;
                }
                else
                {
                    waitingLogged = false;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: unacknowledged records stay spooled.
        }
        catch (Exception e)
        {
            SpoolLog.PipelineFailed(_logger, e);
        }
        finally
        {
            Progress();
        }
    }

    private bool AllowsRecording => _filters.All(f => f.AllowsRecording);

    /// <summary>
    /// The writer waits for the editor's settings, or for consent to be on again: a flush or a stop has nothing to wait
    /// for. Read from the filters as well as the flag, which the writer clears only when it runs again.
    /// </summary>
    private bool HeldForConsent =>
        _waitingForConsent && (!AllowsRecording || _filters.Any(f => !f.WhenReadyAsync(CancellationToken.None).IsCompleted));

    /// <summary>
    /// Appends <paramref name="batch"/>. At a withdrawal of consent (on → off) everything spooled before it and not yet
    /// uploaded is discarded first: it was recorded with a consent the user has taken back. The consent records among
    /// it are kept (appended again: the audit trail of the user's choices, written idempotently), then the rest is
    /// acknowledged, durably, so no later run nor <c>telemetry flush</c> uploads it.
    /// </summary>
    private void AppendHonouringWithdrawals(DurableSpool spool, List<TelemetryEvent> batch)
    {
        var start = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i] is ConsentChangedEvent { Previous.Enabled: true, Current.Enabled: false })
            {
                if (i > start)
                {
                    spool.Append([.. batch.Skip(start).Take(i - start).Select(SpoolCodec.Encode)]);
                }

                DiscardWithdrawn(spool);
                start = i;
            }
        }

        spool.Append([.. batch.Skip(start).Select(SpoolCodec.Encode)]);
    }

    private void DiscardWithdrawn(DurableSpool spool)
    {
        var through = spool.LastSequence;
        var after = spool.AcknowledgedSequence;
        var kept = new List<byte[]>();
        long discarded = 0;
        while (after < through)
        {
            var raw = spool.ReadAfter(after, _options.WriteBatchSize);
            if (raw.Count == 0)
            {
                break;
            }

            foreach (var (sequence, payload) in raw.Where(r => r.Sequence <= through))
            {
                if (SpoolCodec.Decode(sequence, payload, _logger) is ConsentChangedEvent)
                {
                    kept.Add(payload);
                }
                else
                {
                    discarded++;
                }

                after = sequence;
            }

            if (raw[^1].Sequence >= through)
            {
                break;
            }
        }

        if (kept.Count > 0)
        {
            spool.Append(kept);
        }

        spool.Acknowledge(through);
        SpoolLog.Withdrawn(_logger, discarded);
    }

    /// <summary>The open spool, or null when it could not be opened (held everywhere, no permission).</summary>
    private async Task<DurableSpool?> SpoolOrNullAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Opening.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private TelemetryEvent? ApplyFilters(TelemetryEvent telemetryEvent)
    {
        TelemetryEvent? current = telemetryEvent;
        foreach (var filter in _filters)
        {
            current = current is null ? null : filter.Filter(current);
        }

        return current;
    }

    private TelemetryEvent? Decode(long sequence, byte[] payload)
    {
        var e = SpoolCodec.Decode(sequence, payload, _logger);
        if (e is null)
        {
            Interlocked.Increment(ref _undecodable);
        }

        return e;
    }

    private ResiliencePipeline BuildResilience(ITelemetryBatchWriter writer)
    {
        static ValueTask<bool> Handle(Outcome<object> outcome, ResilienceContext context) =>
            ValueTask.FromResult(outcome.Exception is not null && !context.CancellationToken.IsCancellationRequested);

        return new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => Handle(args.Outcome, args.Context),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(_options.RetryBaseDelayMs),
                MaxDelay = TimeSpan.FromMilliseconds(_options.RetryMaxDelayMs),
                OnRetry = args =>
                {
                    if (_outageSince is null && args.Outcome.Exception is { } failure)
                    {
                        // One warning per outage, its reason in one sentence; every attempt, with its exception, at Debug.
                        _outageSince = _time.GetTimestamp();
                        var reason = EndSentence(writer.DescribeFailure(failure));
                        SpoolLog.OutageStarted(_logger, reason);
                    }

                    SpoolLog.WriteRetry(_logger, args.Outcome.Exception, args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = args => Handle(args.Outcome, args.Context),
                FailureRatio = 1.0,
                MinimumThroughput = 3,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromMilliseconds(_options.BreakDurationMs),
                OnOpened = args =>
                {
                    SpoolLog.CircuitOpened(_logger, args.BreakDuration);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    SpoolLog.CircuitClosed(_logger);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    private static string EndSentence(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.EndsWith('.') ? line : line + ".";
    }

    private void Progress() => _progress.Fire();

    private async Task WaitForAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = _progress.Next;
            if (condition())
            {
                return;
            }

            await next.WaitAsync(cancellationToken);
        }
    }
}
