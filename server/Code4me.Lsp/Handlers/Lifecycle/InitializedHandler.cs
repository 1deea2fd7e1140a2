using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Lifecycle;

/// <summary>
/// <c>initialized</c>: the client is ready; the server may now send requests, and starts learning from the workspace.
/// The editor's settings (<c>initializationOptions</c>) are in force by now, so the consent is the user's: telemetry
/// left spooled by an earlier run may be uploaded under it from here on (<see cref="ConsentPolicy.SettingsKnown"/>).
/// A client that answers <c>workspace/configuration</c> is asked for its settings now, and the status indicator starts.
/// </summary>
internal sealed class InitializedHandler(
    Rpc.Lifecycle lifecycle,
    Hosting.WorkspaceIndexing indexing,
    ConsentPolicy consent,
    Hosting.ConfigurationPull pull,
    Hosting.StatusNotifier status) : INotificationHandler<NoParams>
{
    public void Handle(NoParams notification)
    {
        lifecycle.Initialized();
        consent.SettingsKnown();
        if (lifecycle.ClientSupportsConfiguration)
        {
            _ = pull.PullAsync(LspMethods.Initialized);
        }

        status.Start();
        indexing.Start();
    }
}
