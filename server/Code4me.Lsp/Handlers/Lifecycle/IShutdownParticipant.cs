namespace Code4me.Lsp.Handlers.Lifecycle;

/// <summary>Something that must finish its work (flush telemetry, end the session) when the client sends <c>shutdown</c>.</summary>
internal interface IShutdownParticipant
{
    Task ShutdownAsync(CancellationToken cancellationToken);
}
