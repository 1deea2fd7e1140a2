namespace Code4me.Lsp.Core.Telemetry;

/// <summary>A server lifetime began (<c>initialize</c>): the <c>session</c> row and its <c>session_projects</c>.</summary>
/// <param name="SessionId">The <c>session.session_id</c>.</param>
/// <param name="Ide">The editor, from <c>clientInfo.name</c>.</param>
/// <param name="PluginVersion">From initialization options, else <c>clientInfo.version</c>.</param>
/// <param name="WorkspaceFolders">Local paths of the workspace folders (one <c>project</c> each).</param>
/// <param name="InstallationId">
/// The anonymous, stable id of this installation (<see cref="InstallationIdentity"/>): <c>session.installation_id</c>.
/// Null when it could not be stored, and in records spooled before it existed.
/// </param>
public sealed record SessionStartedEvent(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid SessionId,
    string Ide,
    string PluginVersion,
    IReadOnlyList<string> WorkspaceFolders,
    Guid? InstallationId = null) : TelemetryEvent(EventId, OccurredAt);
