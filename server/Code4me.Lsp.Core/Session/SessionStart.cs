using Code4me.Lsp.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Session;

/// <summary>
/// An editor connected (<c>initialize</c>): the session learns who the client is and which folders it works in, and the
/// telemetry session starts with that identity.
/// </summary>
public sealed class SessionStart(EditorSession session, TelemetrySession telemetry, IOptionsMonitor<TelemetryOptions> telemetryOptions, TimeProvider time)
{
    public void Begin(string? clientName, string? clientVersion, IReadOnlyList<string> workspaceFolders, int? clientProcessId)
    {
        session.Initialize(clientName, clientVersion, workspaceFolders, clientProcessId, time.GetUtcNow());
        telemetry.Start(ClientIdentity.From(session, telemetryOptions.CurrentValue.PluginVersion), workspaceFolders);
    }
}
