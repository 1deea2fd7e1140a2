using System.Collections.Concurrent;
using System.Threading.Channels;
using Code4me.Lsp.Core.Completion.Offline;
using Code4me.Lsp.Core.Documents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Completion;

/// <summary>
/// What completion learns from document events: the offline model is trained on each document (small
/// documents at once on open, everything else in the background after a pause in typing, so the dispatch
/// path never pays for a large document), the user's typing rhythm per document (for the adaptive
/// debounce), and which documents were edited most recently (for cross-file context).
/// </summary>
public sealed partial class DocumentActivity : IDocumentObserver, IDisposable
{
    /// <summary>Documents up to this many characters are trained synchronously on open.</summary>
    public const int SynchronousTrainingLimit = 64 * 1024;

    private const int RhythmWindow = 16;

    private readonly OfflineCodeModel _model;
    private readonly IOptionsMonitor<CompletionOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DocumentActivity> _logger;
    private readonly ConcurrentDictionary<string, TextDocument> _latest = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _lastEdit = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double[]> _rhythm = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private int _idle = 1;
    private int _disposed;

    public DocumentActivity(OfflineCodeModel model, IOptionsMonitor<CompletionOptions> options, TimeProvider time, ILogger<DocumentActivity> logger)
    {
        _model = model;
        _options = options;
        _time = time;
        _logger = logger;
        _worker = Task.Run(() => TrainAsync(_stop.Token));
    }

    /// <summary>Delay after the last change before a document is re-trained.</summary>
    public TimeSpan TrainingDelay { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>True when no background training is queued or running.</summary>
    public bool IsIdle => Volatile.Read(ref _idle) == 1 && _pending.IsEmpty;

    public void Opened(TextDocument document)
    {
        _latest[document.Uri] = document;
        _lastEdit[document.Uri] = _time.GetTimestamp();
        if (document.Text.Length <= SynchronousTrainingLimit)
        {
            Train(document);
        }
        else
        {
            Schedule(document.Uri);
        }
    }

    public void Changed(TextDocument before, TextDocument after, IReadOnlyList<TextEdit> edits)
    {
        _latest[after.Uri] = after;
        var now = _time.GetTimestamp();
        if (_lastEdit.TryGetValue(after.Uri, out var previous))
        {
            RecordInterval(after.Uri, _time.GetElapsedTime(previous, now).TotalMilliseconds);
        }

        _lastEdit[after.Uri] = now;
        Schedule(after.Uri);
    }

    public void Closed(TextDocument document)
    {
        // The model keeps what it learned from a closed document; only the tracking goes.
        _latest.TryRemove(document.Uri, out _);
        _rhythm.TryRemove(document.Uri, out _);
    }

    /// <summary>The debounce for an automatic trigger in this document, from the user's recent rhythm.</summary>
    public int DebounceMs(string uri)
    {
        var options = _options.CurrentValue;
        return AdaptiveDebounce.DelayMs(_rhythm.TryGetValue(uri, out var intervals) ? Snapshot(intervals) : [], options.DebounceMinMs, options.DebounceMaxMs);
    }

    /// <summary>Other open documents of a language, most recently edited first.</summary>
    public IReadOnlyList<TextDocument> RecentDocuments(string languageId, string exceptUri) =>
        [.. _latest.Values
            .Where(d => d.Uri != exceptUri && string.Equals(d.LanguageId, languageId, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(d => _lastEdit.TryGetValue(d.Uri, out var t) ? t : 0)];

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        _stop.Cancel();
        _worker.Wait(TimeSpan.FromSeconds(2));
        _stop.Dispose();
    }

    private static double[] Snapshot(double[] intervals)
    {
        lock (intervals)
        {
            return [.. intervals.Where(i => i > 0)];
        }
    }

    private void RecordInterval(string uri, double ms)
    {
        var intervals = _rhythm.GetOrAdd(uri, _ => new double[RhythmWindow + 1]);
        lock (intervals)
        {
            // A ring buffer: the last slot holds the next write position.
            var next = (int)intervals[RhythmWindow];
            intervals[next] = Math.Max(ms, 0.001);
            intervals[RhythmWindow] = (next + 1) % RhythmWindow;
        }
    }

    private void Schedule(string uri)
    {
        if (_pending.TryAdd(uri, 0))
        {
            _queue.Writer.TryWrite(uri);
        }
    }

    private void Train(TextDocument document)
    {
        if (document.Text.Length > _options.CurrentValue.Offline.MaxFileBytes)
        {
            LogTooLarge(document.Uri, document.Text.Length);
            return;
        }

        _model.Observe(document.Uri, document.LanguageId, document.Text.ToString());
    }

    private async Task TrainAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var uri in _queue.Reader.ReadAllAsync(cancellationToken))
            {
                Volatile.Write(ref _idle, 0);
                try
                {
                    // Wait for a pause in typing: every change in between re-arms the same pending entry.
                    while (_lastEdit.TryGetValue(uri, out var last) && _time.GetElapsedTime(last) < TrainingDelay)
                    {
                        await Task.Delay(TrainingDelay - _time.GetElapsedTime(last), _time, cancellationToken);
                    }

                    _pending.TryRemove(uri, out _);
                    if (_latest.TryGetValue(uri, out var document))
                    {
                        Train(document);
                    }
                }
#pragma warning disable CA1031 // training must never stop the worker
                catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    LogTrainingFailed(e, uri);
                }
                finally
                {
                    Volatile.Write(ref _idle, 1);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Not training the offline model on {Uri}: {Length} characters is over the limit")]
    private partial void LogTooLarge(string uri, int length);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training the offline model on {Uri} failed")]
    private partial void LogTrainingFailed(Exception exception, string uri);
}
