using Code4me.Lsp.Core.Session;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// The <c>session</c> of this server lifetime: <see cref="Start"/> at <c>initialize</c> (after
/// <see cref="EditorSession.Initialize"/>), <see cref="End"/> at <c>shutdown</c> or exit (idempotent).
/// The session carries the <see cref="InstallationIdentity"/>, which is only created (a file on this machine)
/// when the consent in force lets telemetry be recorded at all.
/// </summary>
public sealed class TelemetrySession(ITelemetrySink sink, TimeProvider time, InstallationIdentity? installation = null, ConsentPolicy? consent = null)
{
    private readonly Lock _gate = new();
    private bool _started;
    private bool _ended;

    /// <summary>The <c>session_id</c> (UUIDv7); fixed for the lifetime of the process.</summary>
    public Guid SessionId { get; } = Guid.CreateVersion7(time.GetUtcNow());

    /// <summary>The installation id recorded with this session (set at <see cref="Start"/>); null when none was.</summary>
    public Guid? InstallationId { get; private set; }

    public void Start(ClientIdentity client, IReadOnlyList<string> workspaceFolders)
    {
        ArgumentNullException.ThrowIfNull(client);
        lock (_gate)
        {
            if (_started)
            {
                return;
            }

            _started = true;
        }

        var now = time.GetUtcNow();
        var installationId = consent?.Current.Enabled == false ? null : installation?.GetOrCreate();
        InstallationId = installationId;
        sink.Enqueue(new SessionStartedEvent(Guid.CreateVersion7(now), now, SessionId, client.Ide, client.PluginVersion, [.. workspaceFolders], installationId));
    }

    public void End()
    {
        lock (_gate)
        {
            if (!_started || _ended)
            {
                return;
            }

            _ended = true;
        }

        var now = time.GetUtcNow();
        sink.Enqueue(new SessionEndedEvent(Guid.CreateVersion7(now), now, SessionId));
    }
}
