using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Lifecycle;

/// <summary>
/// <c>initialized</c>: the client is ready; the server may now send requests, and starts learning from the workspace.
/// The editor's settings (<c>initializationOptions</c>) are in force by now, so the consent is the user's: telemetry
/// left spooled by an earlier run may be uploaded under it from here on (<see cref="ConsentPolicy.SettingsKnown"/>);
/// a client that answers <c>workspace/configuration</c> is asked for its settings first, and the consent counts once
/// that answer is applied. The status indicator starts.
/// </summary>
internal sealed class InitializedHandler(
    Rpc.Lifecycle lifecycle,
    Hosting.WorkspaceIndexing indexing,
    ConsentPolicy consent,
    Hosting.ConfigurationPull pull,
    Hosting.StatusNotifier status) : INotificationHandler<NoParams>
{
    private static readonly TimeSpan SettingsAnswerWait = TimeSpan.FromSeconds(5);

    public void Handle(NoParams notification)
    {
        lifecycle.Initialized();
        if (lifecycle.ClientSupportsConfiguration)
        {
            // Spooled telemetry is judged by the settings the client holds, so the consent counts once its answer is in
            // (or has not come within a moment: a client that never answers does not hold the spool back for good).
            _ = pull.PullAsync(LspMethods.Initialized)
                .WaitAsync(SettingsAnswerWait)
                .ContinueWith(_ => consent.SettingsKnown(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else
        {
            consent.SettingsKnown();
        }

        status.Start();
        indexing.Start();
    }
}
