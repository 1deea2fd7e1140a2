namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// When a completion was last shown (the editor's didShowCompletion, a real display) and last accepted
/// (fully or partly), for <see cref="BehavioralTelemetry"/>. Milliseconds are whole, rounded down; null when never.
/// </summary>
public sealed class BehaviorClock(TimeProvider time)
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _lastShown;
    private DateTimeOffset? _lastAccepted;

    public void MarkShown()
    {
        lock (_gate)
        {
            _lastShown = time.GetUtcNow();
        }
    }

    public void MarkAccepted()
    {
        lock (_gate)
        {
            _lastAccepted = time.GetUtcNow();
        }
    }

    public long? MillisecondsSinceLastShown
    {
        get
        {
            lock (_gate)
            {
                return Since(_lastShown);
            }
        }
    }

    public long? MillisecondsSinceLastAccepted
    {
        get
        {
            lock (_gate)
            {
                return Since(_lastAccepted);
            }
        }
    }

    private long? Since(DateTimeOffset? then) =>
        then is { } t ? Math.Max(0, (long)Math.Floor((time.GetUtcNow() - t).TotalMilliseconds)) : null;
}
