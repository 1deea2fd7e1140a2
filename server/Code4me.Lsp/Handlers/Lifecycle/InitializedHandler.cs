using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Lifecycle;

/// <summary><c>initialized</c>: the client is ready; the server may now send requests, and starts learning from the workspace.</summary>
internal sealed class InitializedHandler(Rpc.Lifecycle lifecycle, Hosting.WorkspaceIndexing indexing) : INotificationHandler<NoParams>
{
    public void Handle(NoParams notification)
    {
        lifecycle.Initialized();
        indexing.Start();
    }
}
